import fs from 'node:fs';
import type { LaunchOptions } from 'playwright-core';

const CHROMIUM = process.env.THINGWIRE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's headless Chromium: browsers cannot be downloaded by Playwright here, hence playwright-core and the system
 * Chromium (`apt-get install chromium`; `.ci/run` installs it).
 *
 * Without a GPU, Chromium emulates one (SwiftShader, OpenGL on the CPU) and composites through it, as a browser with
 * a GPU composites: what the editor benchmark measures (`gpu: true`). The browser tests composite in software
 * (`--disable-gpu`), which took a third off the CPU they spend (the products screens: 34 s → 22 s).
 */
export function chromiumLaunchOptions({ gpu = false }: { gpu?: boolean } = {}): LaunchOptions {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get update && apt-get install -y chromium) or set THINGWIRE_CHROMIUM.`);
  }
  return { executablePath: CHROMIUM, headless: true, args: gpu ? [] : ['--disable-gpu'] };
}
