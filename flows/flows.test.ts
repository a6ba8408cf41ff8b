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
