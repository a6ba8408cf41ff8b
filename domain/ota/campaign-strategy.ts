import type { CampaignStrategy } from './ota-schemas.ts';

/** The strategy's defaults: what a campaign stores for a field left out (the schema's defaults, and the wizard's). */
export const DEFAULT_STRATEGY = {
  waves: [100],
  maxInFlight: 100,
  maxConcurrentDownloads: 50,
  deviceTimeoutSeconds: 1800,
  retries: 0,
  failureThreshold: 0.2,
  signMethod: 'SHA256',
} as const satisfies CampaignStrategy;

/**
 * How many devices each wave of a campaign reaches, cumulative like the waves: each wave's share rounded up, so a
 * small first wave still holds a device (1 % of 50 is 1), and the last holds them all. `percent * total / 100`, not
 * `percent / 100 * total`: 0.1 × 110 is a hair over 11 in floating point, and would round up to 12. The server sizes
 * campaigns with it and the wizard shows the same numbers.
 */
export function waveSizesOf(waves: readonly number[], total: number): number[] {
  return waves.map((percent, i) => (i === waves.length - 1 ? total : Math.min(total, Math.ceil((percent * total) / 100))));
}
