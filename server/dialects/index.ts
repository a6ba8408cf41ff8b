import type { Dialect, DialectCodec } from './dialect.ts';
import { alink } from './alink.ts';
import { things } from './things.ts';

export type { DecodedUplink, DeviceIdentity, DevicePublish, DialectCodec, RefusedUplink, UplinkResult } from './dialect.ts';
export { alink, things };

/** The codec of each dialect: replies and commands go back in the dialect the device signed in with. */
export const codecs: Readonly<Record<Dialect, DialectCodec>> = Object.freeze({ alink, things });
