import type { AlertClock, CancelTimer } from '../alerts/alert-clock.ts';

/**
 * A clock for tests that moves only when told: {@link advance} fires every timer that falls due, in due order, with
 * `now()` reading each timer's own due time while it runs.
 */
export class ManualAlertClock implements AlertClock {
  #now: number;
  #timers: { due: number; seq: number; fire: () => void }[] = [];
  #seq = 0;

  constructor(start = Date.UTC(2026, 10, 22, 8, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fire: () => void): CancelTimer {
    const timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fire };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing what falls due on the way (including timers set by timers that fire). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.due <= until)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.due;
      next.fire();
    }
    this.#now = until;
  }
}
