/**
 * The browser test cases of Node-RED's "storage" core nodes (see `../core-node-check.ts`): host nodes, installed in
 * the test server; they read and write files in a temp directory, named by the message (the expected exports name no
 * path) except for watch, whose form names its directory (the expected export reads it as `{{WATCHED}}`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { CoreNodeCase } from '../core-node-check.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingwire-core-files-'));
const written = path.join(dir, 'out', 'log.txt');
const read = path.join(dir, 'in.txt');
fs.writeFileSync(read, 'first line\nsecond line');
/** The directory the watch node watches: this run's own, so parallel runs never see each other's files. */
const watched = path.join(dir, 'watched');
fs.mkdirSync(watched);
const touched = path.join(watched, 'changed.txt');
process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

export const cases: CoreNodeCase[] = [
  {
    name: 'file-overwrite-from-msg',
    type: 'file',
    async fill(form) {
      await form.getByLabel('Filename type').selectOption({ label: 'msg.' });
      await form.getByLabel('Filename', { exact: true }).fill('filename');
      await form.getByLabel('Action', { exact: true }).selectOption({ label: 'overwrite file' });
      await form.getByLabel("Create directory if it doesn't exist?").check();
    },
    run: {
      input: { payload: 'hello', filename: written },
      expect([out]) {
        expect(out).toHaveLength(1);
        expect(fs.readFileSync(written, 'utf8')).toBe('hello\n');
      },
    },
  },
  {
    name: 'file-in-lines',
    type: 'file in',
    async fill(form) {
      await form.getByLabel('Filename type').selectOption({ label: 'msg.' });
      await form.getByLabel('Filename', { exact: true }).fill('filename');
      await form.getByLabel('Output', { exact: true }).selectOption({ label: 'a msg per line' });
      await form.getByLabel('include all existing properties in each msg').check();
    },
    run: {
      input: { filename: read, topic: 'lines' },
      expect([out]) {
        expect(out?.map((m) => m['payload'])).toEqual(['first line', 'second line']);
        expect(out?.map((m) => m['topic'])).toEqual(['lines', 'lines']);
      },
    },
  },
  {
    name: 'watch-directory',
    type: 'watch',
    vars: () => ({ WATCHED: watched }),
    async fill(form) {
      await form.getByLabel('File(s)').fill(watched);
    },
    run: {
      async trigger() {
        fs.writeFileSync(touched, 'one');
      },
      expect([out]) {
        // The watcher reports changes from the moment its flow started; touch the file again until one is reported.
        if ((out ?? []).length === 0) fs.appendFileSync(touched, '+');
        expect(out?.some((m) => m['filename'] === touched)).toBe(true);
      },
    },
  },
];
