import { randomInt } from 'node:crypto';

/** A product key (docs/protocol.md "Identity"). */
export const PRODUCT_KEY_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
/** A device name, unique within its product (docs/protocol.md "Identity"). */
export const DEVICE_NAME_PATTERN = '^[A-Za-z0-9_.:@-]{1,64}$';

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
