/**
 * The device side of an OTA campaign for the benchmark's load workers (docs/ota.md, alink topics): thousands of
 * devices per process that act like real ones, cheaply. Each reports its version, and on an upgrade push downloads the
 * image over HTTP (one keep-alive agent per process, as many sockets as the campaign's download slots allow this
 * process), hashes it as it streams in, reports progress 50 on the way and 100 once verified, then reports the new
 * version without reconnecting. A device the bench marks `fail` reports a verification failure (step -3) instead.
 * Every wait is bounded: a busy download slot (503) is retried after its Retry-After, at most {@link MAX_TRIES} times.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { MqttClient } from 'mqtt';
import type { BenchDevice } from './load-worker.ts';

/** What one device saw and did during the campaign; times in ms since the epoch (this machine's clock). */
export interface OtaDeviceRecord {
  deviceName: string;
  /** The first upgrade push arrived. */
  pushAt?: number;
  /** Upgrade pushes received (more than one: the platform told it again). */
  pushes: number;
  downloadStartAt?: number;
  /** The last byte was in (of the download that succeeded, after any 503 retries). */
  downloadEndAt?: number;
  /** The new version (or the failure step) was published. */
  reportedAt?: number;
  outcome?: 'upgraded' | 'verification-failed' | 'download-failed';
  /** Download attempts answered 503 (every download slot of the campaign busy). */
  busy: number;
  /** What went wrong, when it was not what the bench asked for. */
  error?: string;
}

/** Download attempts per push, the first included, before the device reports a failed download. */
const MAX_TRIES = 20;
/** The longest a device waits on a Retry-After. */
const MAX_RETRY_AFTER_MS = 10_000;

interface Push {
  url: string;
  size: number;
  sign: string;
  signMethod: string;
  version: string;
  module: string;
}

interface FleetDevice {
  client: MqttClient;
  device: BenchDevice;
  fail: boolean;
  record: OtaDeviceRecord;
  busyUpgrading: boolean;
}

const now = () => performance.timeOrigin + performance.now();

export class OtaFleet {
  readonly #devices: FleetDevice[] = [];
  readonly #agent: http.Agent;
  #ids = 0;

  constructor(maxSockets: number) {
    this.#agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Takes part with a connected client: it listens on its upgrade topic from now on. */
  async add(client: MqttClient, device: BenchDevice, fail: boolean): Promise<void> {
    const d: FleetDevice = { client, device, fail, record: { deviceName: device.deviceName, pushes: 0, busy: 0 }, busyUpgrading: false };
    const topic = `/ota/device/upgrade/${device.productKey}/${device.deviceName}`;
    await client.subscribeAsync(topic, { qos: 1 });
    client.on('message', (t, payload) => {
      if (t === topic) this.#onPush(d, payload);
    });
    this.#devices.push(d);
  }

  /**
   * Every device reports `version` of `module`, QoS 1, at most `window` unacknowledged at once; resolves once every
   * report is acknowledged or `timeoutMs` passed.
   */
  async informAll(version: string, module: string, window: number, timeoutMs: number): Promise<{ sent: number; acked: number }> {
    let sent = 0;
    let acked = 0;
    let settled = 0;
    const until = performance.now() + timeoutMs;
    for (const d of this.#devices) {
      while (sent - settled >= window && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
      sent++;
      this.#publish(d, 'inform', { version, module }, (err) => {
        settled++;
        if (!err) acked++;
      });
    }
    while (settled < sent && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    return { sent, acked };
  }

  records(): OtaDeviceRecord[] {
    return this.#devices.map((d) => d.record);
  }

  close(): void {
    this.#agent.destroy();
  }

  #publish(d: FleetDevice, op: 'inform' | 'progress', params: Record<string, string>, done?: (err?: Error) => void): void {
    const { productKey, deviceName } = d.device;
    const body = JSON.stringify({ id: String(++this.#ids), params });
    d.client.publish(`/ota/device/${op}/${productKey}/${deviceName}`, body, { qos: 1 }, (err) => done?.(err ?? undefined));
  }

  #onPush(d: FleetDevice, payload: Buffer): void {
    let message: { code?: string; data?: Partial<Push> };
    try {
      message = JSON.parse(payload.toString('utf8')) as typeof message;
    } catch {
      d.record.error ??= 'an upgrade push that is not JSON';
      return;
    }
    if (message.code !== '1000') return; // a cancel: nothing under way to stop in this bench
    d.record.pushes++;
    d.record.pushAt ??= now();
    const push = message.data;
    if (!push?.url || typeof push.size !== 'number' || !push.sign || !push.version) {
      d.record.error ??= `an upgrade push without url, size, sign or version: ${payload.toString('utf8').slice(0, 200)}`;
      return;
    }
    // Told again while at it (the platform re-sends a push it thinks was lost): carry on with the first.
    if (d.busyUpgrading) return;
    d.busyUpgrading = true;
    void this.#upgrade(d, push as Push).finally(() => (d.busyUpgrading = false));
  }

  async #upgrade(d: FleetDevice, push: Push): Promise<void> {
    const { record } = d;
    const module = push.module ?? 'default';
    record.downloadStartAt = now();
    let result: Awaited<ReturnType<OtaFleet['download']>> | undefined;
    const algorithm = push.signMethod === 'MD5' ? 'md5' : 'sha256';
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      result = await this.download(push.url, push.size, algorithm, () => this.#publish(d, 'progress', { step: '50', desc: 'downloading', module }));
      if (result.status !== 503) break;
      record.busy++;
      const waitMs = Math.min(MAX_RETRY_AFTER_MS, (result.retryAfterSeconds ?? 5) * 1000);
      await new Promise((r) => setTimeout(r, waitMs));
    }
    if (!result || result.status !== 200 || result.digest === undefined) {
      record.outcome = 'download-failed';
      record.error ??= `download: ${result?.status ?? '?'} ${result?.error ?? ''}`.trim();
      record.reportedAt = now();
      this.#publish(d, 'progress', { step: '-2', desc: `download failed: ${result?.status ?? 'no answer'}`, module });
      return;
    }
    record.downloadEndAt = now();
    const verified = result.bytes === push.size && result.digest === push.sign;
    if (!verified || d.fail) {
      if (!verified) record.error ??= `verification: ${result.bytes} bytes of ${push.size}, ${push.signMethod} ${result.digest}, the push says ${push.sign}`;
      record.outcome = 'verification-failed';
      record.reportedAt = now();
      this.#publish(d, 'progress', { step: '-3', desc: verified ? 'signature mismatch (the bench told this device to fail)' : 'sha256 mismatch', module });
      return;
    }
    this.#publish(d, 'progress', { step: '100', desc: 'flashing', module });
    record.outcome = 'upgraded';
    record.reportedAt = now();
    this.#publish(d, 'inform', { version: push.version, module });
  }

  /** One GET of the image, hashed (`algorithm`) as it streams in; `onHalf` once half of it is in. */
  download(url: string, size: number, algorithm: 'sha256' | 'md5', onHalf: () => void): Promise<{
    status: number; bytes?: number; digest?: string; retryAfterSeconds?: number; error?: string;
  }> {
    return new Promise((resolve) => {
      const req = http.get(url, { agent: this.#agent, timeout: 30_000 }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          res.on('end', () => resolve({ status, retryAfterSeconds: Number(res.headers['retry-after']) || undefined }));
          return;
        }
        const hash = createHash(algorithm);
        let bytes = 0;
        let halfSaid = false;
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
          if (!halfSaid && bytes * 2 >= size) {
            halfSaid = true;
            onHalf();
          }
        });
        res.on('end', () => resolve({ status, bytes, digest: hash.digest('hex') }));
        res.on('error', (err) => resolve({ status: 0, error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', (err) => resolve({ status: 0, error: err.message }));
    });
  }
}
