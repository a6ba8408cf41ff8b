import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random alphanumeric name. With 62^11 values and up a collision is not a practical concern, so callers insert
 * without retrying and a clash would surface as the ordinary 409.
 */
function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** A product key for a product created without one: 11 characters, the shape of Alibaba's (`a1FVqJ1nFAV`). */
export const generateProductKey = (): string => randomAlphanumeric(11);

/** A device name for a device created without one: 20 characters, like Alibaba's generated names. */
export const generateDeviceName = (): string => randomAlphanumeric(20);
