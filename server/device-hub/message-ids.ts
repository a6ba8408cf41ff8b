/** Message ids are decimal strings in 1..4294967295 (docs/protocol.md "Requests"). */
const MAX_MESSAGE_ID = 4_294_967_295;

/**
 * The ids the hub gives the messages it makes: commands (the device echoes the id in its reply) and `state` messages.
 * One sequence for both, increasing and wrapping to 1.
 */
export class MessageIds {
  #next: number;

  /**
   * Seeded from the clock so that ids do not start again at 1 after a restart, where a device's late reply to a
   * command of the previous process could match a new command.
   */
  constructor(now: number) {
    this.#next = (Math.floor(now / 1000) % MAX_MESSAGE_ID) + 1;
  }

  next(): string {
    const id = this.#next;
    this.#next = id >= MAX_MESSAGE_ID ? 1 : id + 1;
    return String(id);
  }
}
