import { Counter, type Registry } from 'prom-client';
import type { CodecStats } from './codec-sandbox.ts';

/**
 * What products' codecs cost on /metrics, per product: calls, failures by kind (a codec that throws, runs over its
 * time, runs out of memory or returns the wrong shape), time spent in them and sandbox restarts. Read when scraped.
 */
export function registerCodecMetrics(registry: Registry, stats: () => { productKey: string; stats: CodecStats }[]): void {
  const registers = [registry];
  const perProduct = (name: string, help: string, value: (s: CodecStats) => number) =>
    new Counter({
      name, help, labelNames: ['product'], registers,
      collect() {
        this.reset();
        for (const { productKey, stats: s } of stats()) this.inc({ product: productKey }, value(s));
      },
    });
  perProduct('thingwire_codec_calls_total', 'Calls of products\' codecs (decode, encode, frame)', (s) => s.calls);
  perProduct('thingwire_codec_busy_seconds_total', 'Time spent running products\' codecs', (s) => s.busyMs / 1000);
  perProduct('thingwire_codec_restarts_total', 'Codec sandboxes rebuilt after a timeout, running out of memory or a publish', (s) => s.restarts);
  new Counter({
    name: 'thingwire_codec_errors_total', help: 'Codec calls that failed, by kind (threw, timeout, memory, invalid-result)',
    labelNames: ['product', 'kind'], registers,
    collect() {
      this.reset();
      for (const { productKey, stats: s } of stats()) for (const [kind, n] of Object.entries(s.errors)) this.inc({ product: productKey, kind }, n);
    },
  });
}
