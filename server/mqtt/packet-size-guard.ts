/**
 * Refuses an MQTT packet by the size its fixed header announces, before any of its body is buffered.
 *
 * MQTT parsers (mqtt-packet, which aedes uses) collect a packet's bytes until it is complete, so a CONNECT announcing
 * 200 MB is held in memory as it arrives. The guard reads the same byte stream in front of the parser: it follows
 * packet boundaries by the remaining-length field alone (a few bytes of state, no copies) and says "too large" as soon
 * as a header announces more than the limit, which the caller acts on by closing the connection before passing on the
 * chunk. The limit is asked per packet, so it can depend on the connection's state (64 KB until sign-in, the
 * listener's payload limit after).
 */
export class PacketSizeGuard {
  readonly #limit: () => number;
  /** Body bytes of the current packet still to come. */
  #bodyLeft = 0;
  /** Where the fixed header being read stands: -1 between packets, else how many length bytes were read. */
  #lengthBytes = -1;
  #length = 0;
  #multiplier = 1;

  constructor(limit: () => number) {
    this.#limit = limit;
  }

  /**
   * Follows `chunk`; returns the announced size (fixed header excluded) of the first packet over the limit, or 0 when
   * every packet started in the chunk is within it. After a refusal the guard is not to be used again.
   */
  check(chunk: Uint8Array): number {
    let at = 0;
    const n = chunk.length;
    while (at < n) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, n - at);
        this.#bodyLeft -= take;
        at += take;
        continue;
      }
      if (this.#lengthBytes < 0) {
        // The packet type byte; what it says is the parser's business.
        this.#lengthBytes = 0;
        this.#length = 0;
        this.#multiplier = 1;
        at++;
        continue;
      }
      const byte = chunk[at++]!;
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      // A fifth length byte is malformed; the parser refuses it, the guard only has to stop counting.
      if ((byte & 0x80) !== 0 && this.#lengthBytes < 4) continue;
      if (this.#length > this.#limit()) return this.#length;
      this.#bodyLeft = this.#length;
      this.#lengthBytes = -1;
    }
    return 0;
  }
}
