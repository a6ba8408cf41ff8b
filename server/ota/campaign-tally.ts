import { UPGRADE_STATES, type StateCounts, type UpgradeState } from '../../domain/ota/ota-schemas.ts';

const emptyCounts = (): StateCounts => Object.fromEntries(UPGRADE_STATES.map((s) => [s, 0])) as StateCounts;

/**
 * A live campaign's device counts by wave and state, kept in memory beside the table (loaded once, then moved with
 * every transition), so that the failure ratio of a wave, the in-flight count and whether a wave is done cost nothing
 * per device message, however large the campaign.
 */
export class CampaignTally {
  readonly #waves: StateCounts[];
  /** Queued devices of each wave found offline: they do not hold their wave back. */
  readonly #waiting: number[];

  constructor(waveCount: number) {
    this.#waves = Array.from({ length: waveCount }, emptyCounts);
    this.#waiting = new Array<number>(waveCount).fill(0);
  }

  add(wave: number, state: UpgradeState, n = 1): void {
    this.#waves[wave]![state] += n;
  }

  move(wave: number, from: UpgradeState, to: UpgradeState): void {
    const counts = this.#waves[wave]!;
    counts[from]--;
    counts[to]++;
  }

  setWaiting(wave: number, delta: number): void {
    this.#waiting[wave] = Math.max(0, this.#waiting[wave]! + delta);
  }

  /** Every wave's counts summed. */
  counts(): StateCounts {
    const total = emptyCounts();
    for (const wave of this.#waves) for (const s of UPGRADE_STATES) total[s] += wave[s];
    return total;
  }

  inFlight(): number {
    let n = 0;
    for (const w of this.#waves) n += w.notified + w.downloading + w.flashing;
    return n;
  }

  /** How many of the wave's devices there are, and how many failed or timed out. */
  failures(wave: number): { failed: number; size: number } {
    const w = this.#waves[wave]!;
    return { failed: w.failed + w.timed_out, size: sum(w) };
  }

  /** Every device of the wave has finished, or waits for its device to connect. */
  waveDone(wave: number): boolean {
    const w = this.#waves[wave]!;
    return w.queued - this.#waiting[wave]! <= 0 && w.notified + w.downloading + w.flashing === 0;
  }

  /** Nothing is left to do: every device finished. */
  allFinished(): boolean {
    return this.#waves.every((w) => w.queued + w.notified + w.downloading + w.flashing === 0);
  }
}

function sum(counts: StateCounts): number {
  let n = 0;
  for (const s of UPGRADE_STATES) n += counts[s];
  return n;
}
