import { Type } from '@sinclair/typebox';
import { defineNode } from '../kit/define-node.ts';

const help = `Firmware updates (docs/ota.md): hands a device's OTA reports to the platform's OTA service, answers them,
and sends out every change of a device upgrade or a campaign.

### Input
Messages from **device in** with the kinds \`ota.inform\` (the device says which version of a module it runs),
\`ota.progress\` (how far it got, or a negative step when it failed) and \`ota.get\` (it asks whether an upgrade
waits for it). The service records the version, moves the device's upgrade along, and gives the verdict: \`ota.get\`
is answered with the upgrade waiting for the device (\`{}\` when none); reports and progress are notices, the device
gets nothing back unless it asked for a reply, but the code lands in its message log (400 with the reason for a
malformed report). A message of another kind, or without \`msg.thing\`, is an error for **catch** nodes.

### Output
One message per OTA change, whatever caused it (a device, a timeout, an operator in the campaigns screen):

- A device upgrade changed: \`msg.topic\` is \`ota.device\`, \`msg.payload\` is \`{type: 'ota.device', upgrade}\`
  (\`upgrade\` has \`productKey\`, \`deviceName\`, \`module\`, \`fromVersion\`, \`toVersion\`, \`state\`,
  \`step\`, \`percent\`, \`message\`, \`reason\`, \`campaignId\`, \`attempts\`, …). \`msg.thing\` names the device the
  way a device event does: \`{productKey, deviceName, kind: 'event.post', eventId, receivedAt}\`, where \`eventId\`
  is \`ota_\` and the upgrade's state: \`ota_queued\`, \`ota_notified\`, \`ota_downloading\`, \`ota_flashing\`,
  \`ota_succeeded\`, \`ota_failed\`, \`ota_timed_out\`, \`ota_cancelled\`. It has no \`replyToken\`: it is the
  platform's event, not a message from the device.
- A campaign changed: \`msg.topic\` is \`ota.campaign\`, \`msg.payload\` is \`{type: 'ota.campaign', campaign, change}\`,
  \`change\` one of \`started\`, \`wave\`, \`stopped\` (by itself: too many devices failed; \`campaign.stateReason\`
  says how many), \`paused\`, \`resumed\`, \`cancelled\`, \`completed\`. No \`msg.thing\`: a campaign is not a device.

\`msg.payload\` has the shape the live socket and the API use, so it can go to a **webhook** as it is.

### Alerting on failed upgrades
Wire this node, with **Output** *device upgrades that ended*, into an **alert** node with the *event* trigger,
**Event** \`ota_failed\` and **Clear event** \`ota_succeeded\`: a device whose upgrade fails (a failed download,
verification or flash, or a restart with the old version) raises an alert, and a later successful upgrade clears it.
A second alert node with \`ota_timed_out\` catches devices that went silent during an upgrade. The alert's value is
\`msg.payload\`, so the alert's page shows the whole upgrade: the reason (\`upgrade.reason\`, e.g. "verification
failed"), the device's last step and text, the versions and the campaign. Campaign messages carry no device, and an
alert node fails them: keep them away from it with that **Output**, or a **switch** on \`msg.topic\`.

### Properties
- **Output**: *every change*; *device upgrades that ended* (succeeded, failed, timed out or cancelled: one message
  per device upgrade, each with \`msg.thing\`, what an alert node needs); *failures and campaign stops* (devices
  that failed or timed out, and campaigns that stopped themselves: what someone should hear of, e.g. by webhook).

The status counts the reports handled (and refused) and shows the last change. Without the platform's OTA service
(a stock Node-RED whose settings do not provide \`services.ota\`) the status says so and every report is answered
503.`;

/** OTA uplinks to the OTA service, answered by their reply token; every OTA change out. */
export const ota = defineNode({
  type: 'ota',
  version: 1,
  label: 'ota',
  category: 'ota',
  color: '#C7E9C0',
  icon: 'font-awesome/fa-microchip',
  inputs: 1,
  outputs: 1,
  outputLabels: ['OTA changes'],
  config: Type.Object({
    name: Type.String({ title: 'Name', default: '' }),
    output: Type.Union(
      [
        Type.Literal('all', { title: 'every change' }),
        Type.Literal('ends', { title: 'device upgrades that ended' }),
        Type.Literal('problems', { title: 'failures and campaign stops' }),
      ],
      { title: 'Output', default: 'all' },
    ),
  }),
  help,
});
