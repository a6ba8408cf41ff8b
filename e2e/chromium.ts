import fs from 'node:fs';
import type { LaunchOptions } from 'playwright-core';

/** Debian's Chromium (`chromium`), and its headless shell (`chromium-headless-shell`) of the same version. */
const CHROMIUM = '/usr/bin/chromium';
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/**
 * Debian's headless Chromium: browsers cannot be downloaded by Playwright here, hence playwright-core and the system
 * Chromium (`apt-get install chromium chromium-headless-shell`; `.ci/run` installs them). `THINGWIRE_CHROMIUM` names
 * another binary.
 *
 * The browser tests run in the headless shell, the same Blink without a browser's windows, as Playwright's own
 * headless tests do: opening a page costs the full browser's own process about 0.4 s of CPU here and the shell's a
 * fifth of that, and the browser tests open hundreds (on 2 cores the browser files ran in 166 s instead of 230–340 s).
 * They composite in software (`--disable-gpu`), which took a third off the CPU they spend (the products screens:
 * 34 s → 22 s).
 *
 * The benchmarks measure the full browser (`full`); the editor's (`gpu`) as a browser with a GPU composites: without
 * one Chromium emulates it (SwiftShader, OpenGL on the CPU).
 */
export function chromiumLaunchOptions({ gpu = false, full = gpu }: { gpu?: boolean; full?: boolean } = {}): LaunchOptions {
  const executablePath = process.env.THINGWIRE_CHROMIUM ?? (!full && fs.existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : CHROMIUM);
  if (!fs.existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install Debian's (apt-get update && apt-get install -y chromium chromium-headless-shell) or set THINGWIRE_CHROMIUM.`);
  }
  return { executablePath, headless: true, args: gpu ? [] : ['--disable-gpu'] };
}
