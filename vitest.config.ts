import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './vitest.sequencer.ts';

/**
 * Test files that need no process of their own: no Thingwire or Node-RED started in-process (Node-RED is a
 * singleton), no child process, browser, module mock or stubbed global; what they open (temp SQLite files, loopback
 * servers, fake clocks) they close or restore themselves. They share their worker's process and modules (no
 * isolation), which saves the ~2 s each file otherwise spends starting a process and importing.
 */
const pureFiles = [
  'docker/dockerfile.test.ts',
  'domain/alerts/event-types.test.ts',
  'domain/modbus/point-table-csv.test.ts',
  'domain/modbus/point-table.test.ts',
  'domain/ota/ota-version.test.ts',
  'domain/thing-model/command-check.test.ts',
  'app/src/alerts/alert-types.test.ts',
  'app/src/codecs/codec-bench.test.ts',
  'app/src/devices/command-fields.test.ts',
  'app/src/dashboard/grid-layout.test.ts',
  'app/src/dashboard/live-store.test.ts',
  'app/src/devices/device-create-tags.test.ts',
  'app/src/devices/device-detail-format.test.ts',
  'app/src/devices/history-range.test.ts',
  'app/src/i18n/messages.test.ts',
  'app/src/live/device-feed-client.test.ts',
  'app/src/modbus/connection-form.test.ts',
  'app/src/modbus/modbus-format.test.ts',
  'app/src/modbus/point-table-form.test.ts',
  'app/src/modbus/point-problems.messages.test.ts',
  'app/src/ota/campaign-strategy.test.ts',
  'app/src/ota/campaign-target.test.ts',
  'app/src/ota/firmware-form.test.ts',
  'app/src/ota/ota-format.test.ts',
  'app/src/ota/refusal.messages.test.ts',
  'app/src/thing-model/json-text.test.ts',
  'app/src/thing-model/tsl-diff.test.ts',
  'app/src/thing-model/tsl-form.test.ts',
  'app/src/thing-model/tsl-problems.messages.test.ts',
  'editor/canvas/canvas-menu-items.test.ts',
  'editor/canvas/fit-viewport.test.ts',
  'editor/canvas/link-wires.test.ts',
  'editor/canvas/motion-sketch.test.ts',
  'editor/canvas/node-status-text.test.ts',
  'editor/canvas/use-canvas-motion.test.ts',
  'editor/deploy/deploy-flows.test.ts',
  'editor/deploy/flow-draft-storage.test.ts',
  'editor/import-export/flow-import.test.ts',
  'editor/import-export/replace-flows.test.ts',
  'editor/layout/panel-layout.test.ts',
  'editor/live/json-tree-model.test.ts',
  'editor/live/live-client.test.ts',
  'editor/live/reconnecting-socket.test.ts',
  'editor/model/canvas-changes.test.ts',
  'editor/model/code-lock.test.ts',
  'editor/model/read-only-store.test.ts',
  'editor/model/flow-codec.test.ts',
  'editor/model/flow-search.test.ts',
  'editor/model/node-catalog.test.ts',
  'editor/model/flow-canvas.test.ts',
  'editor/model/flow-selection-edits.test.ts',
  'editor/model/flow-selectors.test.ts',
  'editor/model/paste-place.test.ts',
  'editor/model/problem-list.test.ts',
  'editor/model/flow-store.test.ts',
  'editor/model/junction.test.ts',
  'editor/palette/palette-groups.test.ts',
  'editor/properties/core-forms/seqparse-saves.test.ts',
  'editor/properties/core-forms/function-syntax.test.ts',
  'editor/properties/core-forms/rule-outputs.test.ts',
  'editor/properties/core-forms/common-form-model.test.ts',
  'editor/properties/core-forms/function-rule-forms.test.ts',
  'editor/properties/form-fields.test.ts',
  'editor/properties/help-markdown.test.ts',
  'editor/properties/raw-config-editor.test.ts',
  'flows/flows.test.ts',
  'nodes/core/common.def.test.ts',
  'nodes/core/core-help.test.ts',
  'nodes/core/function.def.test.ts',
  'nodes/device-in/device-in.test.ts',
  'nodes/device-reply/device-reply.test.ts',
  'nodes/core/network.def.test.ts',
  'nodes/core/seqparse.def.test.ts',
  'nodes/i18n/node-text.test.ts',
  'nodes/i18n/problem-zh.test.ts',
  'nodes/kit/config-validator.test.ts',
  'nodes/kit/node-definitions.test.ts',
  'nodes/kit/register-nodes.test.ts',
  'nodes/kit/throttled-status.test.ts',
  'nodes/notify/notify.test.ts',
  'server/alerts/alert-routes.test.ts',
  'server/alerts/alert-rules.test.ts',
  'server/live/alert-feed.test.ts',
  'server/auth/hash-gate.test.ts',
  'server/auth/login-limiter.test.ts',
  'server/auth/passwords.test.ts',
  'server/codecs/codec-docs.test.ts',
  'server/codecs/codec-frames.test.ts',
  'server/codecs/codec-sandbox.test.ts',
  'server/config.test.ts',
  'server/device-auth/alink-sign.test.ts',
  'server/device-auth/device-authenticator.test.ts',
  'server/device-auth/readme-example.test.ts',
  'server/device-auth/sign-in-bans.test.ts',
  'server/device-auth/things-sign.test.ts',
  'server/device-hub/device-hub-metrics.test.ts',
  'server/device-hub/device-hub.test.ts',
  'server/device-hub/device-log.test.ts',
  'server/device-hub/uplink-verdicts.test.ts',
  'server/dialects/alink.test.ts',
  'server/dialects/dialect-codec.test.ts',
  'server/dialects/things.test.ts',
  'server/dialects/topic-acl.test.ts',
  'server/ingress/device-tokens.test.ts',
  'server/ingress/ingress-gate.test.ts',
  'server/ingress/rate-bucket.test.ts',
  'server/ota/ota-parts.test.ts',
  'server/modbus/modbus-bus.test.ts',
  'server/modbus/modbus-service.test.ts',
  'server/modbus/point-codec.test.ts',
  'server/mqtt/mqtt-wire.test.ts',
  'server/mqtt/packet-size-guard.test.ts',
  'server/node-red/status-text.test.ts',
  'server/notify/delivery-policy.test.ts',
  'server/outbound/outbound-policy.test.ts',
  'server/outbound/outbound-request.test.ts',
  'server/tcp-ingress/tcp-framing.test.ts',
  'server/telemetry/retention.test.ts',
  'server/telemetry/sqlite-telemetry.test.ts',
  'server/telemetry/tdengine-telemetry.test.ts',
  'server/telemetry/telemetry-columns.test.ts',
  'server/telemetry/telemetry-routes.test.ts',
  'server/telemetry/telemetry-writer.test.ts',
  'server/thing-model/thing-model-store.test.ts',
  'server/thing-model/thing-model-validators.test.ts',
  'server/thing-model/tsl-check.test.ts',
  'server/thing-model/tsl-compiler.test.ts',
];

/**
 * Projects, and how their files share processes:
 * - `fast`: the pure files above, sharing their worker's process, in the browser files' group after them.
 * - `integration` and `e2e`: files that start Thingwire (and with it Node-RED) in their own process, child processes
 *   (`npm start`, the simulator, the benchmark) or pages in the run's shared Chromium. They too share their worker's
 *   process, one file after another: the first Thingwire a process starts spends ~1.5 s loading Node-RED, the palette
 *   and the server's modules, later ones ~0.3 s (each file's own server, data dir and ports are as fresh as before;
 *   Node-RED, a process-wide singleton, is stopped by one file's server and started again by the next). A file here
 *   must not mock modules or stub globals, and restores what it changes process-wide (fake timers, environment).
 * - `isolated`: files that need a process of their own: the flow nodes' tests start Node-RED through its test helper
 *   or as a stock runtime, which does not restart cleanly after another file's Thingwire. Put a file that mocks
 *   modules here too.
 */
/** The projects that start processes (not `e2e`, not `fast`): after the browser files (see `maxWorkers` below). */
const afterTheBrowser = { sequence: { groupOrder: 1 } };

const sharedInclude = ['docker/**/*.test.ts', 'domain/**/*.test.ts', 'server/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts', 'flows/**/*.test.ts', 'bench/**/*.test.ts'];

export default defineConfig({
  test: {
    // Real servers, real sockets, real SQLite files; child processes for the CLI, the simulator and the benchmark.
    pool: 'forks',
    // Vitest's default is one fewer than the cores: one worker on a 2-core machine. The files spend most of their time
    // waiting on servers, devices and the browser, so two run side by side in about 60 % of the time. The browser files
    // (and after them the pure files) run three at a time: two kept the cores 80–90 % busy in the headless shell, three
    // took the browser files from 166 to 155 s. The other projects run after them (`groupOrder`), three at a time too:
    // with two, their processes, child processes and timers left a third of the CPU idle (3 workers: 190 -> 136 s).
    maxWorkers: 3,
    sequence: { sequencer: SlowFirstSequencer },
    // Limits catch a hang; they say nothing about speed (that is `npm run bench`'s job), so a busy machine, where a
    // server start or a browser journey can take several times as long, must not fail a correct test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results/results.json' },
    projects: [
      // In the browser files' group, after them: as the last browser files finish, the pure files take the freed workers
      // (after the other projects, their longest file was the suite's last half minute).
      { extends: true, test: { name: 'fast', include: pureFiles, isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: sharedInclude,
          exclude: pureFiles,
          isolate: false,
          ...afterTheBrowser,
          // Builds the web UI when it is stale, once, before `npm start` in server/main.test.ts would (in each start).
          // And one PostgreSQL for the files that need one (server/testing/test-postgres.ts).
          globalSetup: ['e2e/global-setup.ts', 'server/testing/postgres-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          isolate: false,
          // The UI build the browser tests load, and one Chromium for all of them (each file connects to it).
          globalSetup: ['e2e/global-setup.ts', 'e2e/browser-server.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ['nodes/**/*.test.ts', 'editor/**/*.test.ts'], exclude: pureFiles, ...afterTheBrowser },
      },
    ],
  },
});
