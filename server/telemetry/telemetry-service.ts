import type { Receipt } from '../../domain/devices/thing-message.ts';
import type { Logger } from 'pino';
import type { RegistryEvents } from '../registry-events.ts';
import type { ThingModelStore } from '../thing-model/thing-model-store.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';
import { RetentionSweeper, type RetentionPolicy } from './retention.ts';
import type { TelemetryBackend } from './telemetry-store.ts';
import type { EventRow, PropertyRow, WriteCallback } from '../../domain/telemetry/telemetry-rows.ts';
import { TelemetryWriter, type TelemetryWriterOptions } from './telemetry-writer.ts';

export interface TelemetryServiceOptions {
  backend: TelemetryBackend;
  thingModels: Pick<ThingModelStore, 'published' | 'versionTsl'>;
  events: RegistryEvents;
  /** Each product's retention in days, asked at every sweep. */
  retention: () => Iterable<RetentionPolicy> | Promise<Iterable<RetentionPolicy>>;
  /** The ingress gate (server/ingress/ingress-gate.ts): closed while the write queue is above its high-water mark. */
  gate?: { setBusy(source: string, busy: boolean, reason?: string): void };
  logger: Logger;
  writer?: Omit<TelemetryWriterOptions, 'backend' | 'pressure' | 'logger'>;
  /** Retention sweeps; defaults in retention.ts. */
  retentionIntervalMs?: number;
}

/**
 * Telemetry as the platform runs it: the backend, kept in step with published thing models (every product's tables
 * are prepared at startup and again on each publish, before any write that may need the new columns), the group
 * commit writer the `telemetry-store` nodes submit to, and the retention sweeper.
 */
export class TelemetryService {
  readonly backend: TelemetryBackend;
  readonly writer: TelemetryWriter;
  readonly retention: RetentionSweeper;
  /** Schema changes in progress; a batch waits for them, so rows for a just-published property find their column. */
  #schemas: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;

  private constructor(private readonly options: TelemetryServiceOptions) {
    this.backend = options.backend;
    const logger = options.logger;
    this.writer = new TelemetryWriter({
      ...options.writer,
      backend: {
        writeBatch: async (batch) => {
          await this.#schemas;
          return this.backend.writeBatch(batch);
        },
      },
      pressure: (busy, reason) => {
        options.gate?.setBusy('telemetry', busy, reason);
        logger[busy ? 'warn' : 'info']({ reason }, busy ? 'telemetry is behind: devices are slowed down' : 'telemetry caught up');
      },
      logger,
    });
    this.retention = new RetentionSweeper({ backend: this.backend, policies: options.retention, logger, intervalMs: options.retentionIntervalMs });
    const onPublished = ({ productKey, version }: { productKey: string; version: number }) => {
      this.#ensure(productKey, version, async () => JSON.parse(await options.thingModels.versionTsl(productKey, version)) as TslDocument);
    };
    options.events.on('thing-model.published', onPublished);
    this.#unsubscribe = () => options.events.off('thing-model.published', onPublished);
  }

  /**
   * Prepares every product's tables for its published thing model. The retention sweeps are singleton work: the
   * caller starts `retention` on the node that runs it (see cluster/singleton-work.ts).
   */
  static async start(options: TelemetryServiceOptions): Promise<TelemetryService> {
    const service = new TelemetryService(options);
    for (const { productKey, version, tsl } of options.thingModels.published()) service.#ensure(productKey, version, () => tsl);
    await service.#schemas;
    return service;
  }

  /** Queues one message's rows for the next commit; false when the queue is full (see TelemetryWriter.submit). */
  submit(properties: PropertyRow[], events: EventRow[], done: WriteCallback, receipt?: Receipt): boolean {
    return this.writer.submit(properties, events, done, receipt);
  }

  /** Whether a receipt submitted with rows is committed with them (see TelemetryBackend.recentReceipts). */
  get receiptsWithRows(): boolean {
    return this.backend.recentReceipts !== undefined;
  }

  queuedRows(): number {
    return this.writer.queuedRows;
  }

  /** Writes what is queued, stops the sweeps and closes the backend. */
  async close(): Promise<void> {
    this.#unsubscribe();
    await this.writer.close();
    await this.retention.stop();
    await this.#schemas;
    await this.backend.close();
  }

  #ensure(productKey: string, version: number, tsl: () => TslDocument | Promise<TslDocument>): void {
    this.#schemas = this.#schemas.then(async () => {
      try {
        await this.backend.ensureSchema(productKey, version, await tsl());
      } catch (err) {
        // That product's rows are skipped (and counted) until the next publish or restart; the others go on.
        this.options.logger.error({ err, productKey, version }, 'preparing telemetry tables failed; its telemetry is not stored');
      }
    });
  }
}
