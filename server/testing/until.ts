/**
 * Reads `read()` until `ok` says yes, every 50 ms, for at most `ms`; then fails saying what it still was. For
 * conditions outside vitest's `expect.poll` reach (a value to keep, a message that names the wait).
 */
export async function until<T>(what: string, read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
