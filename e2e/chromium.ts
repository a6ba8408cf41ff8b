import fs from 'node:fs';
import type { LaunchOptions } from 'playwright-core';

const CHROMIUM = process.env.THINGWIRE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's headless Chromium: browsers cannot be downloaded by Playwright here, hence playwright-core and the system
 * Chromium (`apt-get install chromium`; `.ci/run` installs it). Without a GPU, Chromium would emulate one
 * (SwiftShader, OpenGL on the CPU) and composite through it: `--disable-gpu` composites in software directly, which
 * took a third off the CPU the browser tests spend (products: 34 s → 22 s) and left the editor benchmark's frame
 * rates where they were.
 */
export function chromiumLaunchOptions(): LaunchOptions {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get update && apt-get install -y chromium) or set THINGWIRE_CHROMIUM.`);
  }
  return { executablePath: CHROMIUM, headless: true, args: ['--disable-gpu'] };
}
