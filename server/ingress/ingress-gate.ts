/**
 * Backpressure from the pipeline to the ingress listeners (docs/architecture.md "Backpressure").
 *
 * A sink that falls behind (the telemetry writer above its high-water mark) marks itself busy. While any sink is
 * busy, or once the platform is shutting down, listeners stop acknowledging what devices send:
 * - a QoS 1 publish waits for the gate before it is processed and PUBACKed. aedes reads no further packets from that
 *   connection until the publish is done, so TCP pushes back on the device, which keeps the message and (after a
 *   reconnect) sends it again: nothing is acknowledged that the platform has not taken.
 * - a QoS 0 publish has no acknowledgement to hold; it is dropped and counted (`thingwire_ingress_dropped_total`).
 *
 * Memory stays bounded: each connection holds at most the packets of one socket read while it waits.
 */
export class IngressGate {
  /** Busy sources, each with the reason shown in logs and metrics. */
  readonly #busy = new Map<string, string>();
  #waiting: (() => void)[] = [];
  #shut: string | undefined;
  #droppedQos0 = 0;
  #heldTotal = 0;

  /** True while publishes are taken at once. */
  get open(): boolean {
    return this.#busy.size === 0 && this.#shut === undefined;
  }

  /** Why the gate is closed (the first busy source, or shutdown); undefined while it is open. */
  get reason(): string | undefined {
    return this.#shut ?? this.#busy.values().next().value;
  }

  /** Marks a source busy (closing the gate) or no longer busy (opening it when no other source is). */
  setBusy(source: string, busy: boolean, reason = source): void {
    if (busy) {
      this.#busy.set(source, reason);
      return;
    }
    if (!this.#busy.delete(source) || !this.open) return;
    // In arrival order, so each connection's publishes stay in the order the device sent them; and only while the
    // gate stays open: a resumed publish may fill the pipeline again, and the rest then wait for the next opening
    // rather than all rushing in at once.
    let i = 0;
    while (i < this.#waiting.length && this.open) this.#waiting[i++]!();
    this.#waiting = i === this.#waiting.length ? [] : this.#waiting.slice(i);
  }

  /**
   * Runs `resume` now if the gate is open, else when it opens. After {@link shut} it never runs: the connection is
   * closed with its publish unacknowledged.
   */
  whenOpen(resume: () => void): void {
    if (this.open) return resume();
    this.#heldTotal++;
    if (this.#shut === undefined) this.#waiting.push(resume);
  }

  /** Counts a QoS 0 publish dropped because the gate was closed. */
  dropped(): void {
    this.#droppedQos0++;
  }

  /** Closes the gate for good (shutdown): publishes from now on are held until their connection closes. */
  shut(reason = 'shutting down'): void {
    this.#shut = reason;
    this.#waiting = [];
  }

  stats(): { open: boolean; waiting: number; heldTotal: number; droppedQos0: number } {
    return { open: this.open, waiting: this.#waiting.length, heldTotal: this.#heldTotal, droppedQos0: this.#droppedQos0 };
  }
}
