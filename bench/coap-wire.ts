/**
 * Just enough CoAP (RFC 7252) for the benchmark's load processes to post as devices without a client library per
 * message: non-confirmable requests matched to their responses by token. Encoding only what the load sends (Uri-Path,
 * Content-Format, the token option 2088), decoding only code, token and payload.
 */

/** Alibaba's CoAP option carrying the device token. */
export const TOKEN_OPTION = 2088;
const URI_PATH = 11;
const CONTENT_FORMAT = 12;
const JSON_FORMAT = 50;

/** A non-confirmable POST of `payload` (JSON) to `path`, `token` (our request id, 4 bytes) echoed in the response. */
export function coapPost(messageId: number, token: number, path: string, payload: string, deviceToken?: string): Buffer {
  const options: [number, Buffer][] = [
    ...path.split('/').filter(Boolean).map((segment): [number, Buffer] => [URI_PATH, Buffer.from(decodeURIComponent(segment))]),
    [CONTENT_FORMAT, Buffer.from([JSON_FORMAT])],
    ...(deviceToken ? [[TOKEN_OPTION, Buffer.from(deviceToken)] as [number, Buffer]] : []),
  ];
  const parts: Buffer[] = [];
  const header = Buffer.alloc(8);
  header[0] = (1 << 6) | (1 << 4) | 4; // version 1, NON, token length 4
  header[1] = 0x02; // 0.02 POST
  header.writeUInt16BE(messageId & 0xffff, 2);
  header.writeUInt32BE(token >>> 0, 4);
  parts.push(header);
  let last = 0;
  for (const [number, value] of options) {
    const [delta, deltaExt] = nibble(number - last);
    const [length, lengthExt] = nibble(value.length);
    parts.push(Buffer.from([(delta << 4) | length]), deltaExt, lengthExt, value);
    last = number;
  }
  parts.push(Buffer.from([0xff]), Buffer.from(payload));
  return Buffer.concat(parts);
}

/** An option delta or length: the 4-bit field and its extension bytes. */
function nibble(n: number): [number, Buffer] {
  if (n < 13) return [n, Buffer.alloc(0)];
  if (n < 269) return [13, Buffer.from([n - 13])];
  const ext = Buffer.alloc(2);
  ext.writeUInt16BE(n - 269);
  return [14, ext];
}

/** A response's code as a number (2.04 → 204), its 4-byte token and its payload; undefined when it is not one. */
export function coapResponse(datagram: Buffer): { code: number; token: number; payload: Buffer; type: number; messageId: number } | undefined {
  if (datagram.length < 4 || datagram[0]! >> 6 !== 1) return undefined;
  const type = (datagram[0]! >> 4) & 3;
  const tkl = datagram[0]! & 15;
  const code = (datagram[1]! >> 5) * 100 + (datagram[1]! & 31);
  const messageId = datagram.readUInt16BE(2);
  const token = tkl === 4 ? datagram.readUInt32BE(4) : -1;
  let i = 4 + tkl;
  /** Skips an option field's extension bytes, returning its value. */
  const extended = (field: number): number => {
    if (field === 13) return datagram[i++]! + 13;
    if (field !== 14) return field;
    const value = datagram.readUInt16BE(i) + 269;
    i += 2;
    return value;
  };
  while (i < datagram.length && datagram[i] !== 0xff) {
    const byte = datagram[i++]!;
    extended(byte >> 4); // the option number: not needed
    i += extended(byte & 15);
  }
  return { code, token, type, messageId, payload: i < datagram.length ? datagram.subarray(i + 1) : Buffer.alloc(0) };
}

/** The empty ACK a confirmable response asks for. */
export function coapAck(messageId: number): Buffer {
  const ack = Buffer.alloc(4);
  ack[0] = (1 << 6) | (2 << 4);
  ack.writeUInt16BE(messageId, 2);
  return ack;
}
