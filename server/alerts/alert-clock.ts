/**
 * Time as the alert engine sees it: the wall clock for `raisedAt` and one-shot timers for `for` durations and offline
 * waits. Injected, so tests drive hours of rule time in microseconds (see server/testing/manual-alert-clock.ts).
 */

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

/** The engine's source of time. */
export interface AlertClock {
  /** ms since the epoch. */
  now(): number;
  /** Runs `fire` once after `ms`. */
  setTimer(ms: number, fire: () => void): CancelTimer;
}

/** The real clock. Its timers do not keep a stopping process alive: pending rule timers are not meant to survive. */
export const systemAlertClock: AlertClock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
