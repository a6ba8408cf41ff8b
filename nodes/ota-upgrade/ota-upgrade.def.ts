import { Type } from '@sinclair/typebox';
import { DEFAULT_MODULE, MODULE_PATTERN, VERSION_PATTERN } from '../../domain/ota/ota-version.ts';
import { defineNode } from '../kit/define-node.ts';

const help = `Starts a firmware upgrade of the device a message names, under the same rules as a campaign: only to a
newer version, only over the source versions the firmware allows, and not while the device is in another upgrade
of the module. The upgrade is a one-device campaign; it shows in the campaigns screen and moves on like any other.

Typical use: a **device in** with the kind \`ota.inform\` wired here, so that every device reporting its version
is brought to the newest firmware (or to **Version**) as soon as it starts.

### Input
The device: \`msg.thing.productKey\` and \`msg.thing.deviceName\` (any message from **device in**), or, in a
message without \`msg.thing\`, \`msg.payload.productKey\` and \`msg.payload.deviceName\` (e.g. from an **inject**
or **http in** node). A message that names no device is an error for **catch** nodes.

### Outputs
1. **started**: \`msg.payload\` is the campaign created for the device (\`id\`, \`name\`, \`version\`,
   \`state\`, \`counts\`, …). Its changes come out of the **ota** node.
2. **refused**: the service would not upgrade the device; \`msg.payload\` is
   \`{reason, code, productKey, deviceName, module, version}\` (\`version\` only when set). \`reason\` says why in
   words: the device already runs that version, runs a source version the firmware does not install over, has not
   reported a version yet, is being upgraded by another campaign; or there is no such firmware. \`code\` is the
   service's: \`not_upgradable\` when the device does not qualify, \`not_found\` when the firmware does not exist.

A refusal is an answer, not a fault: a device that already runs the newest firmware is refused at every start, so
refusals go to output 2, which may stay unwired, instead of filling the log and the catch nodes. Everything else
on the message (\`msg.thing\`, \`msg.topic\`, …) passes unchanged.

### A device's own report
Wired after a **device in** taking \`ota.inform\`, the node hands the service the version the device just reported,
which records it before judging: the upgrade does not depend on whether the Devices tab's **ota** node saw the
report first.

### Properties
- **Module**: the firmware module to upgrade; \`default\` is the module of devices that name none.
- **Version**: the firmware version to install; empty: the newest firmware of the module for the device's product.

The campaign is created by \`node:<this node's id>\` (the campaigns screen shows it). The status counts the upgrades
started and refused, with the last refusal. Without the platform's OTA service the node does nothing but say so,
and every message is an error for catch nodes.`;

/** Upgrades the device of a message to a firmware version (or the newest), with a campaign's rules. */
export const otaUpgrade = defineNode({
  type: 'ota-upgrade',
  version: 1,
  label: 'ota upgrade',
  category: 'ota',
  color: '#C7E9C0',
  icon: 'font-awesome/fa-upload',
  inputs: 1,
  outputs: 2,
  outputLabels: ['started', 'refused'],
  config: Type.Object({
    name: Type.String({ title: 'Name', default: '' }),
    module: Type.String({ title: 'Module', description: 'Letters, digits, _ . -', pattern: MODULE_PATTERN, default: DEFAULT_MODULE }),
    version: Type.String({
      title: 'Version',
      description: 'major.minor.patch; empty: the newest firmware of the module',
      // Empty, or a version as firmware carries it.
      pattern: `^$|${VERSION_PATTERN}`,
      default: '',
    }),
  }),
  ui: { order: ['name', 'module', 'version'] },
  help,
});
