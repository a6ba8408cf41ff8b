/** A product key (docs/protocol.md "Identity"). */
export const PRODUCT_KEY_PATTERN = '^[A-Za-z0-9_-]{1,32}$';
/** A device name, unique within its product (docs/protocol.md "Identity"). */
export const DEVICE_NAME_PATTERN = '^[A-Za-z0-9_.:@-]{1,64}$';
