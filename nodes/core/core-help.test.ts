import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreNodeHelp } from './core-help.def.ts';
import { coreNodeDefinitions } from './core-nodes.def.ts';

/** Every core node type the palette offers or imports, with its ports: [inputs, outputs] (0/0: config nodes). */
const ports: Record<string, [number, number]> = {
  inject: [0, 1], debug: [1, 0], complete: [0, 1], catch: [0, 1], status: [0, 1], 'link in': [0, 1], 'link out': [1, 0],
  'link call': [1, 1], comment: [0, 0], junction: [1, 1],
  function: [1, 1], switch: [1, 1], change: [1, 1], range: [1, 1], template: [1, 1], delay: [1, 1], trigger: [1, 1],
  exec: [1, 3], rbe: [1, 1],
  split: [1, 1], join: [1, 1], sort: [1, 1], batch: [1, 1],
  csv: [1, 1], html: [1, 1], json: [1, 1], xml: [1, 1], yaml: [1, 1],
  file: [1, 1], 'file in': [1, 1], watch: [0, 1],
  // mqtt in takes input messages once its subscription is dynamic.
  'http in': [0, 1], 'http response': [1, 0], 'http request': [1, 1], 'tcp in': [0, 1], 'tcp out': [1, 0],
  'tcp request': [1, 1], 'udp in': [0, 1], 'udp out': [1, 0], 'websocket in': [0, 1], 'websocket out': [1, 0],
  'mqtt in': [1, 1], 'mqtt out': [1, 0],
  'websocket-listener': [0, 0], 'websocket-client': [0, 0], 'mqtt-broker': [0, 0], 'tls-config': [0, 0], 'http proxy': [0, 0],
};

const headings = (help: string) => [...help.matchAll(/^### (.*)$/gm)].map((m) => m[1]);

/**
 * The help's blocks as the help panel reads them: a heading, a list item or a paragraph each, continuation lines
 * joined with a space (bold, italic and code may run across a line break).
 */
function blocks(help: string): string[] {
  const out: string[] = [];
  let open = false;
  for (const line of help.split('\n')) {
    if (line.trim() === '') open = false;
    else if (/^#{1,6}\s|^\s*[-*]\s/.test(line)) {
      out.push(line.trim());
      open = !line.startsWith('#');
    } else if (open) out[out.length - 1] += ` ${line.trim()}`;
    else {
      out.push(line.trim());
      open = true;
    }
  }
  return out;
}

/** What is left of a block once the markdown the help panel renders is taken out: any `*` or backtick left shows raw. */
const unrendered = (block: string) =>
  block
    .replace(/^[-*]\s+|^#{1,6}\s+/, '')
    .replace(/`[^`]+`/g, '')
    .replace(/\*\*[^*]+\*\*/g, '')
    .replace(/\*[^*\s][^*]*\*/g, '');

const words = (text: string) => (text.toLowerCase().match(/[a-z0-9']+/g) ?? []).join(' ');

describe('core node help', () => {
  it('covers every core node type, and nothing else', () => {
    expect(Object.keys(coreNodeHelp).sort()).toEqual(Object.keys(ports).sort());
  });

  it('opens with one short line, then Inputs, Outputs and Details as the node has them, in that order', () => {
    for (const [type, [inputs, outputs]] of Object.entries(ports)) {
      const help = coreNodeHelp[type]!;
      const intro = blocks(help)[0]!;
      expect(intro, type).toMatch(/^[A-Z][^\n]*\.$/);
      expect(intro.length, type).toBeLessThanOrEqual(140);
      const sections = headings(help);
      const expected = [inputs ? 'Inputs' : '', outputs ? 'Outputs' : '', 'Details'].filter(Boolean);
      expect(sections, type).toEqual(expected);
    }
  });

  it('uses only the markdown the help panel renders', () => {
    for (const [type, help] of Object.entries(coreNodeHelp)) {
      for (const block of blocks(help)) {
        expect(unrendered(block), `${type}: ${block}`).not.toMatch(/[*`]/);
        // Numbered lists, tables, links, quotes and code blocks would show as plain text.
        expect(block, `${type}: ${block}`).not.toMatch(/^\d+\.\s|^\||\]\(|^>|^```/);
      }
      expect(help, type).not.toContain('${'); // a fragment left unexpanded
      // The panel hangs a list that follows a paragraph line straight on to the list before it: a blank line between.
      const lines = help.split('\n');
      lines.forEach((line, i) => {
        const before = lines[i - 1] ?? '';
        if (/^\s*[-*]\s/.test(line)) expect(/^[^\s#*-]/.test(before) && !/^\*\*/.test(before), `${type}: ${line}`).toBe(false);
      });
    }
  });

  it('says where Thingwire differs from Node-RED', () => {
    for (const type of ['exec', 'file', 'file in', 'watch']) {
      expect(coreNodeHelp[type], type).toContain('`--host-nodes`');
      expect(coreNodeHelp[type], type).toContain('`flows:code`');
    }
    expect(coreNodeHelp['function']).toContain('`flows:code`');
    for (const type of ['http in', 'websocket-listener']) {
      expect(coreNodeHelp[type], type).toContain('**Public (no sign-in)**');
      expect(coreNodeHelp[type], type).toContain('API token');
    }
  });

  it('is written in our words: no sentence of Node-RED\'s own help is copied', () => {
    const require = createRequire(import.meta.url);
    const locales = path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'locales', 'en-US');
    const ours = words(Object.values(coreNodeHelp).join('\n').replace(/[`*\\]/g, ''));
    const files = fs.readdirSync(locales, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = fs.readFileSync(path.join(locales, file), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
      for (const sentence of text.split(/<[^>]+>|[.!?:;]\s|\n\s*\n/)) {
        const theirs = words(sentence);
        if (theirs.split(' ').length >= 8) expect(ours, `${file}: ${sentence.trim()}`).not.toContain(theirs);
      }
    }
  });

  it('is the help the editor shows for each core node it has a definition for', () => {
    for (const definition of coreNodeDefinitions) {
      if (coreNodeHelp[definition.type]) expect(definition.help, definition.type).toBe(coreNodeHelp[definition.type]);
    }
  });
});
