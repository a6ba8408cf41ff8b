/**
 * Node-RED node module of the embedded runtime. Node-RED finds it through `nodesDir` and loads it with `require`,
 * which cannot load our TypeScript; so it only hands Node-RED's `RED` object to the registration the composition
 * root placed in the settings (`settings.thingwire.registerNodes`), which runs in the already-loaded server code.
 *
 * With no editor (`disableEditor: true`) Node-RED needs no `.html` beside it; stock Node-RED with its editor uses the
 * package built by `npm run build:nodes` instead.
 */
'use strict';

module.exports = function thingwireNodes(RED) {
  const thingwire = RED.settings.thingwire;
  if (thingwire && typeof thingwire.registerNodes === 'function') {
    return thingwire.registerNodes(RED);
  }
  RED.log.warn(
    '[thingwire] no Thingwire node types registered: settings.thingwire.registerNodes is not set. ' +
      'Start Node-RED through Thingwire (npm start), or use the package built by `npm run build:nodes` in stock Node-RED.',
  );
};
