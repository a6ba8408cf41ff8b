import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions, checkFlowNodeConfig } from '../nodes/definitions.ts';

/** Every flow shipped in flows/: every node type exists, every config validates, every wire target exists. */
describe('shipped flows', () => {
  const dir = import.meta.dirname;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${file} uses only known node types, valid configs and existing wire targets`, () => {
      const flows = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { id: string; type: string; z?: string; wires?: string[][] }[];
      const known = new Set([...nodeDefinitions.map((d) => d.type), 'tab', 'subflow', 'group', 'junction']);
      const ids = new Set(flows.map((n) => n.id));
      for (const node of flows) {
        expect(known.has(node.type), `${node.id}: type ${node.type}`).toBe(true);
        expect(checkFlowNodeConfig(node), `${node.id} config`).toEqual([]);
        for (const target of (node.wires ?? []).flat()) expect(ids.has(target), `${node.id} → ${target}`).toBe(true);
        if (node.z) expect(ids.has(node.z), `${node.id} tab`).toBe(true);
      }
    });
  }
});

/** What the default pipeline promises in docs/flows-and-nodes.md, beyond being a valid flow. */
describe('the default device pipeline', () => {
  type FlowNode = { id: string; type: string; z?: string; kinds?: string[]; output?: string; wires?: string[][] };
  const flows = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'device-pipeline.json'), 'utf8')) as FlowNode[];
  const byId = new Map(flows.map((n) => [n.id, n]));
  const targets = (node: FlowNode) => (node.wires ?? []).flat().map((id) => byId.get(id)!);

  it('hands every OTA report kind on the Devices tab to an ota node, so devices are answered by it rather than 503 "no flow"', () => {
    const devicesTab = flows.filter((n) => n.z === 'tw-devices-tab');
    for (const kind of ['ota.inform', 'ota.progress', 'ota.get']) {
      const sources = devicesTab.filter((n) => n.type === 'device-in' && n.kinds?.includes(kind));
      expect(sources.map((n) => targets(n).map((t) => t.type)), kind).toEqual([['ota']]);
    }
  });

  it('sends the ended device upgrades, each shaped for an alert node, to a debug node', () => {
    const ota = byId.get('tw-ota')!;
    expect(ota.output).toBe('ends');
    expect(targets(ota).map((t) => t.type)).toEqual(['debug']);
  });
});
