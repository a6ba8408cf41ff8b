/**
 * The device simulator's firmware updates (docs/ota.md "Device side"), apart from argv parsing so that `npm run
 * device`, the benchmark and tests with many devices in one process share it.
 *
 * `OtaSimulator` is the behaviour of one device, over any MQTT connection: it informs a version per module, takes
 * upgrade pushes (and `thing/ota/firmware/get` answers), downloads the image over HTTP(S) as a stream (hashing it as
 * it comes, keeping none of it), resumes a broken download with `Range`, waits out `503 Retry-After`, verifies the
 * hash the push names, reports its steps, "flashes", restarts and informs the new version. `startOtaDevice` is a whole
 * simulated device that does only that, on its own connection.
 */
import { createHash, type Hash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { DEFAULT_MODULE, isModuleName, versionCode, versionOfCode } from '../domain/ota/ota-version.ts';
import { signAlink, type MqttCredentials } from '../server/device-auth/alink-sign.ts';
import { signThings } from '../server/device-auth/things-sign.ts';

export type OtaDialect = 'alink' | 'things';
/** Where `--ota-fail` makes an upgrade fail: its step is -2, -3 or -4 and the device keeps its version. */
export type OtaFailMode = 'download' | 'verify' | 'flash';
export const OTA_FAIL_MODES: readonly OtaFailMode[] = ['download', 'verify', 'flash'];

/** What the simulator saw and did, for tests and benchmarks (the log has the same in words). */
export type OtaSimEvent =
  | { type: 'inform'; versions: Record<string, string> }
  | { type: 'progress'; module: string; step: number; desc: string }
  /** One HTTP answer of a download: `range` is the `Range` asked for (`bytes=N-`), if any. */
  | { type: 'http'; module: string; status: number; range?: string }
  | { type: 'upgraded'; module: string; from: string; to: string }
  | { type: 'failed'; module: string; step: number; desc: string }
  | { type: 'cancelled'; module: string; version: string };

export interface OtaSimulatorOptions {
  productKey: string;
  deviceName: string;
  dialect: OtaDialect;
  /** The version of each module at start; default `{ default: '1.0.0' }`. */
  versions?: Record<string, string>;
  /** Fail every upgrade at this point (after downloading half, after downloading, after starting to flash). */
  fail?: OtaFailMode;
  /** Drop the download's connection once at this percent (1..99) and resume it with `Range: bytes=N-`. */
  dropAtPercent?: number;
  /** Download progress is reported every this many percent (default 20): 0, 20, 40, 60, 80; 100 is "burning". */
  progressEvery?: number;
  /** Publishes an uplink on the device's connection. */
  publish(topic: string, payload: string): Promise<unknown>;
  /**
   * Restarts the device after flashing: disconnects and connects again. The owner calls `connected()` once it is
   * connected and subscribed again, which informs the new version.
   */
  restart(): Promise<void>;
  /** Human-readable lines (no newline). */
  log?(line: string): void;
  onEvent?(event: OtaSimEvent): void;
  /** CA certificates trusted for https downloads, besides Node's. */
  ca?: string | Buffer;
  /** Longest wait for a `503` with no (or a silly) `Retry-After`; default 60 s. */
  maxRetryAfterMs?: number;
}

/** An upgrade as the simulator acts on it, whichever dialect and topic it came in. */
export interface UpgradeOrder {
  module: string;
  version: string;
  url: string;
  size?: number;
  sign: string;
  signMethod: 'SHA256' | 'MD5';
  md5?: string;
}

/** A failure at a step (-2 download, -3 verification, -4 flash), reported with its text. */
class StepFailure extends Error {
  constructor(readonly step: number, message: string) {
    super(message);
  }
}

const RESUME_ATTEMPTS = 3;
const IDLE_TIMEOUT_MS = 30_000;

/** Parses `"mcu=1.0.0"` (or `"1.0.0"`, the default module) into a module and its version; throws saying what is wrong. */
export function parseModuleVersion(text: string): [string, string] {
  const eq = text.indexOf('=');
  const [module, version] = eq < 0 ? [DEFAULT_MODULE, text] : [text.slice(0, eq), text.slice(eq + 1)];
  if (!isModuleName(module)) throw new Error(`"${module}" is not a module name (letters, digits, _ . -)`);
  if (versionCode(version) === undefined) throw new Error(`"${version}" is not a version major.minor.patch (minor ≤ 99, patch ≤ 999)`);
  return [module, version];
}

export class OtaSimulator {
  readonly #o: OtaSimulatorOptions;
  readonly #versions: Map<string, string>;
  readonly #running = new Map<string, { version: string; abort: AbortController; burning: boolean }>();
  readonly #topic: { inform: string; progress: string; upgrade: string; get: string; getReply: string };
  #nextId = 1;
  #stopped = false;

  constructor(options: OtaSimulatorOptions) {
    this.#o = options;
    this.#versions = new Map(Object.entries(options.versions ?? { [DEFAULT_MODULE]: '1.0.0' }));
    for (const [module, version] of this.#versions) parseModuleVersion(`${module}=${version}`);
    if (options.dropAtPercent !== undefined && !(options.dropAtPercent > 0 && options.dropAtPercent < 100)) {
      throw new Error(`the drop point is a percent of the download, 0 < percent < 100, not ${options.dropAtPercent}`);
    }
    const { productKey: pk, deviceName: dn } = options;
    this.#topic = options.dialect === 'alink'
      ? {
        inform: `/ota/device/inform/${pk}/${dn}`, progress: `/ota/device/progress/${pk}/${dn}`, upgrade: `/ota/device/upgrade/${pk}/${dn}`,
        get: `/sys/${pk}/${dn}/thing/ota/firmware/get`, getReply: `/sys/${pk}/${dn}/thing/ota/firmware/get_reply`,
      }
      : {
        inform: `${pk}/${dn}/ota/version`, progress: `${pk}/${dn}/ota/progress`, upgrade: `${pk}/${dn}/ota/upgrade`,
        get: `${pk}/${dn}/thing/ota/firmware/get`, getReply: `${pk}/${dn}/thing/ota/firmware/get_reply`,
      };
  }

  /** The topics to subscribe to: upgrade pushes and firmware/get answers. */
  get topics(): string[] {
    return [this.#topic.upgrade, this.#topic.getReply];
  }

  /** The version each module runs now. */
  versions(): Record<string, string> {
    return Object.fromEntries(this.#versions);
  }

  /** Modules with an upgrade under way. */
  upgrading(): string[] {
    return [...this.#running.keys()];
  }

  /** Call after every connect, once subscribed: informs the version of every module (a device does at each start). */
  async connected(): Promise<void> {
    const versions = this.versions();
    if (this.#o.dialect === 'alink') {
      for (const [module, version] of this.#versions) {
        // Alibaba's SDK names no module for the default one; the platform takes that as `default`.
        const params = module === DEFAULT_MODULE ? { version } : { version, module };
        await this.#o.publish(this.#topic.inform, JSON.stringify({ id: this.#id(), params }));
      }
    } else {
      const entries = [...this.#versions].map(([key, version]) => ({ key, version: versionCode(version)! }));
      await this.#o.publish(this.#topic.inform, JSON.stringify(entries));
    }
    this.#log(`ota: informed ${Object.entries(versions).map(([m, v]) => `${m} ${v}`).join(', ')}`);
    this.#o.onEvent?.({ type: 'inform', versions });
  }

  /** Asks the platform for a pending upgrade of each module (or of one); the answer is acted on like a push. */
  async requestFirmware(module?: string): Promise<void> {
    for (const m of module === undefined ? this.#versions.keys() : [module]) {
      const params = this.#o.dialect === 'alink' && m === DEFAULT_MODULE ? {} : { module: m };
      const body = this.#o.dialect === 'alink'
        ? { id: this.#id(), version: '1.0', method: 'thing.ota.firmware.get', params }
        : { id: this.#id(), params };
      await this.#o.publish(this.#topic.get, JSON.stringify(body));
      this.#log(`ota: asked for a pending upgrade of ${m}`);
    }
  }

  /** Handles a message the device received; false when it is not an OTA one (the caller handles it). */
  handle(topic: string, payload: Buffer | string): boolean {
    if (topic !== this.#topic.upgrade && topic !== this.#topic.getReply) return false;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      this.#log(`ota: ignored a message on ${topic} that is not JSON`);
      return true;
    }
    if (topic === this.#topic.getReply) this.#onGetReply(body);
    else if (this.#o.dialect === 'alink') this.#onAlinkPush(body);
    else this.#onThingsPush(body);
    return true;
  }

  /** Stops every upgrade under way (the device is shutting down); nothing is reported. */
  stop(): void {
    this.#stopped = true;
    for (const job of this.#running.values()) job.abort.abort();
  }

  #onAlinkPush(body: unknown): void {
    const push = body as { code?: unknown; message?: string; data?: Record<string, unknown> } | null;
    const data = push?.data ?? {};
    if (String(push?.code) !== '1000') {
      this.#cancel(moduleOf(data.module), String(data.version ?? ''), push?.message ?? `code ${String(push?.code)}`);
      return;
    }
    this.#take(alinkOrder(data));
  }

  #onThingsPush(body: unknown): void {
    for (const entry of Array.isArray(body) ? body : [body]) {
      const e = (entry ?? {}) as Record<string, unknown>;
      if (e.cancel === true) this.#cancel(moduleOf(e.key), versionText(e.version_name ?? e.version), 'cancelled');
      else this.#take(thingsOrder(e));
    }
  }

  #onGetReply(body: unknown): void {
    const reply = body as { code?: unknown; message?: string; data?: unknown } | null;
    if (Number(reply?.code) !== 200) {
      this.#log(`ota: firmware/get answered ${String(reply?.code)} ${reply?.message ?? ''}`.trimEnd());
      return;
    }
    const entries = Array.isArray(reply?.data) ? reply.data : [reply?.data ?? {}];
    const orders = entries.filter((d): d is Record<string, unknown> => !!d && typeof d === 'object' && Object.keys(d).length > 0);
    if (orders.length === 0) this.#log('ota: no pending upgrade');
    for (const d of orders) this.#take('file_url' in d ? thingsOrder(d) : alinkOrder(d));
  }

  #cancel(module: string, version: string, why: string): void {
    const job = this.#running.get(module);
    if (!job) {
      this.#log(`ota: ${module}: nothing to cancel (${why})`);
      return;
    }
    if (job.burning) {
      this.#log(`ota: ${module}: cancel of ${job.version} came while flashing; too late, carrying on`);
      return;
    }
    this.#log(`ota: ${module}: upgrade to ${job.version} cancelled by the platform (${why})`);
    job.abort.abort();
    this.#o.onEvent?.({ type: 'cancelled', module, version: version || job.version });
  }

  /** Starts an upgrade, unless the order is unusable or the module already runs or is getting that version. */
  #take(order: UpgradeOrder | string): void {
    if (this.#stopped) return;
    if (typeof order === 'string') {
      this.#log(`ota: ignored an upgrade push: ${order}`);
      return;
    }
    const { module, version } = order;
    const current = this.#versions.get(module);
    const running = this.#running.get(module);
    if (running?.version === version) {
      this.#log(`ota: ${module}: already upgrading to ${version}`);
      return;
    }
    if (running) {
      this.#log(`ota: ${module}: dropping the upgrade to ${running.version} for ${version}`);
      running.abort.abort();
    }
    if (current === version) {
      // The platform thinks the device has not upgraded yet (a report it missed): say so again.
      this.#log(`ota: ${module}: already runs ${version}`);
      void this.connected();
      return;
    }
    const job = { version, abort: new AbortController(), burning: false };
    this.#running.set(module, job);
    void this.#upgrade(order, current ?? 'none', job).finally(() => {
      if (this.#running.get(module) === job) this.#running.delete(module);
    });
  }

  async #upgrade(order: UpgradeOrder, from: string, job: { abort: AbortController; burning: boolean }): Promise<void> {
    const { module, version } = order;
    const signal = job.abort.signal;
    this.#log(`ota: ${module}: upgrade ${from} → ${version} (${order.size ?? '?'} bytes, ${order.signMethod}) from ${order.url}`);
    try {
      const digest = await this.#download(order, signal);
      if (this.#o.fail === 'verify') {
        throw new StepFailure(-3, `verification failed: ${order.signMethod} does not match the sign (simulated by --ota-fail verify)`);
      }
      if (digest !== order.sign.toLowerCase()) {
        throw new StepFailure(-3, `verification failed: ${order.signMethod} ${digest.slice(0, 16)}… is not the sign ${order.sign.slice(0, 16)}…`);
      }
      this.#log(`ota: ${module}: verified ${order.signMethod} ${digest.slice(0, 16)}…`);
      signal.throwIfAborted();
      job.burning = true;
      await this.#progress(module, 100, 'burning');
      if (this.#o.fail === 'flash') throw new StepFailure(-4, 'flash failed: write error at block 0 (simulated by --ota-fail flash)');
      this.#versions.set(module, version);
      this.#log(`ota: ${module}: flashed ${version}; restarting`);
      await this.#o.restart();
      this.#o.onEvent?.({ type: 'upgraded', module, from, to: version });
    } catch (err) {
      if (signal.aborted) return;
      const failure = err instanceof StepFailure ? err : new StepFailure(-1, `upgrade failed: ${(err as Error).message}`);
      this.#log(`ota: ${module}: ${failure.message}; keeping ${from}`);
      await this.#progress(module, failure.step, failure.message);
      this.#o.onEvent?.({ type: 'failed', module, step: failure.step, desc: failure.message });
    }
  }

  /**
   * Downloads the image, hashing it as it comes, and returns the hex digest the order's sign method names. Resumes a
   * broken download (or one dropped on purpose) with `Range: bytes=N-` and `If-Range`, keeping what it had; waits
   * out `503` for its `Retry-After`. Failures are step -2.
   */
  async #download(order: UpgradeOrder, signal: AbortSignal): Promise<string> {
    const { module } = order;
    const every = Math.max(1, Math.min(100, this.#o.progressEvery ?? 20));
    let hash: Hash = createHash(order.signMethod === 'MD5' ? 'md5' : 'sha256');
    let received = 0;
    let total = order.size;
    let etag: string | undefined;
    let nextStep = 0;
    let dropped = false;
    let resumes = 0;
    const report = async () => {
      const percent = total ? Math.floor((received * 100) / total) : 0;
      while (nextStep <= percent && nextStep < 100) {
        await this.#progress(module, nextStep, 'downloading');
        nextStep += every;
      }
    };
    await report();
    for (;;) {
      const from = received;
      const res = await this.#get(order, from, etag, signal);
      if (from > 0) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
        if (res.statusCode === 206 && range && Number(range[1]) === from) {
          this.#log(`ota: ${module}: resumed: 206, Content-Range ${res.headers['content-range']}`);
        } else if (res.statusCode === 200) {
          // The server sent the whole image again (it changed, or it ignores ranges): start over.
          this.#log(`ota: ${module}: the server answered the range with the whole image (200); starting over`);
          hash = createHash(order.signMethod === 'MD5' ? 'md5' : 'sha256');
          received = 0;
        } else {
          res.destroy();
          throw new StepFailure(-2, `download failed: resuming at ${from} got ${res.statusCode} ${res.headers['content-range'] ?? 'without Content-Range'}`);
        }
      } else if (res.statusCode !== 200) {
        res.destroy();
        throw new StepFailure(-2, `download failed: HTTP ${res.statusCode}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
      }
      etag ??= typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
      if (!total) total = received + Number(res.headers['content-length'] ?? 0) || undefined;
      const dropAt = this.#o.dropAtPercent !== undefined && !dropped && total ? Math.ceil((total * this.#o.dropAtPercent) / 100) : undefined;
      const failAt = this.#o.fail === 'download' && total ? Math.ceil(total / 2) : undefined;
      let broken = false;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          hash.update(chunk);
          received += chunk.length;
          if (failAt !== undefined && received >= failAt) {
            res.destroy();
            throw new StepFailure(-2, `download failed: connection lost at ${received} of ${total} bytes (simulated by --ota-fail download)`);
          }
          if (dropAt !== undefined && received >= dropAt && received < total!) {
            dropped = broken = true;
            // Destroys the socket: the server sees the connection drop mid-body, as when a device loses its link.
            res.destroy();
            this.#log(`ota: ${module}: dropped the download at ${received} of ${total} bytes (--ota-drop-at ${this.#o.dropAtPercent})`);
            break;
          }
          await report();
        }
      } catch (err) {
        if (err instanceof StepFailure || signal.aborted) throw err;
        if (++resumes > RESUME_ATTEMPTS) throw new StepFailure(-2, `download failed: ${(err as Error).message} at ${received} bytes, ${RESUME_ATTEMPTS} resumes tried`);
        this.#log(`ota: ${module}: download broke at ${received} bytes (${(err as Error).message})`);
        broken = true;
      }
      signal.throwIfAborted();
      if (broken) {
        this.#log(`ota: ${module}: resuming with Range: bytes=${received}-`);
        continue;
      }
      if (total !== undefined && received !== total) {
        throw new StepFailure(-2, `download failed: got ${received} bytes, the image has ${total}`);
      }
      await report();
      this.#log(`ota: ${module}: downloaded ${received} bytes`);
      return hash.digest('hex');
    }
  }

  /** One GET of the image from `from` on, after as many `503 Retry-After` waits as the server asks for. */
  async #get(order: UpgradeOrder, from: number, etag: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
    const range = from > 0 ? `bytes=${from}-` : undefined;
    for (;;) {
      const headers: Record<string, string> = {};
      if (range) headers.range = range;
      if (range && etag) headers['if-range'] = etag;
      let res: IncomingMessage;
      try {
        res = await request(order.url, headers, signal, this.#o.ca);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new StepFailure(-2, `download failed: ${(err as Error).message}`);
      }
      this.#o.onEvent?.({ type: 'http', module: order.module, status: res.statusCode ?? 0, ...(range ? { range } : {}) });
      if (res.statusCode !== 503) return res;
      res.resume();
      const seconds = Number(res.headers['retry-after']);
      const max = this.#o.maxRetryAfterMs ?? 60_000;
      const wait = Math.min(max, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 5000);
      this.#log(`ota: ${order.module}: download busy (503); retrying in ${wait / 1000} s`);
      // A little jitter: devices told to wait the same time do not all come back at once.
      await delay(wait * (1 + Math.random() * 0.2), undefined, { signal });
    }
  }

  async #progress(module: string, step: number, desc: string): Promise<void> {
    const payload = this.#o.dialect === 'alink'
      ? { id: this.#id(), params: module === DEFAULT_MODULE ? { step: String(step), desc } : { step: String(step), desc, module } }
      : { key: module, step, desc };
    try {
      await this.#o.publish(this.#topic.progress, JSON.stringify(payload));
    } catch (err) {
      // A lost report does not stop an upgrade (the connection may be restarting for another module's).
      this.#log(`ota: ${module}: step ${step} not reported: ${(err as Error).message}`);
      return;
    }
    if (step >= 0) this.#log(`ota: ${module}: step ${step} ${desc}`);
    this.#o.onEvent?.({ type: 'progress', module, step, desc });
  }

  #id(): string {
    return String(this.#nextId++);
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }
}

const moduleOf = (value: unknown): string => (typeof value === 'string' && value ? value : DEFAULT_MODULE);
const versionText = (value: unknown): string => (typeof value === 'number' ? versionOfCode(value) ?? String(value) : String(value ?? ''));

function signMethodOf(value: unknown): 'SHA256' | 'MD5' | undefined {
  const m = String(value ?? 'SHA256').toUpperCase();
  return m === 'SHA256' || m === 'MD5' ? m : undefined;
}

/** An alink push's (or firmware/get answer's) `data`, or why it cannot be acted on. */
function alinkOrder(d: Record<string, unknown>): UpgradeOrder | string {
  return order(d.module, d.version, d.url, d.size, d.sign, d.signMethod, d.md5);
}

/** A things push entry, or why it cannot be acted on. */
function thingsOrder(e: Record<string, unknown>): UpgradeOrder | string {
  return order(e.key, e.version_name ?? e.version, e.file_url, e.size, e.sign, e.sign_method, e.md5);
}

function order(module: unknown, version: unknown, url: unknown, size: unknown, sign: unknown, method: unknown, md5: unknown): UpgradeOrder | string {
  const v = versionText(version);
  if (versionCode(v) === undefined) return `version "${v}" is not major.minor.patch`;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return `no http(s) url (${String(url)})`;
  const signMethod = signMethodOf(method);
  if (!signMethod) return `sign method ${String(method)} is neither SHA256 nor MD5`;
  if (typeof sign !== 'string' || !/^[0-9a-fA-F]+$/.test(sign)) return 'no hex sign';
  const bytes = Number(size);
  return {
    module: moduleOf(module), version: v, url, sign, signMethod,
    ...(Number.isSafeInteger(bytes) && bytes > 0 ? { size: bytes } : {}),
    ...(typeof md5 === 'string' ? { md5 } : {}),
  };
}

/** A GET that resolves with the response (its body unread), on http or https. */
function request(url: string, headers: Record<string, string>, signal: AbortSignal, ca?: string | Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { headers, signal, timeout: IDLE_TIMEOUT_MS, ...(ca ? { ca } : {}) }, resolve);
    req.on('timeout', () => req.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
  });
}

/** Fresh sign-in credentials: a new timestamp (alink) or nonce (things) each time, as a device signs each connect. */
export function signDevice(dialect: OtaDialect, device: { productKey: string; deviceName: string; deviceSecret: string }): MqttCredentials {
  return dialect === 'alink' ? signAlink(device) : signThings(device);
}

/**
 * Makes an mqtt.js client sign every reconnect afresh (a things nonce is accepted once; an alink timestamp ages out).
 * mqtt.js emits `reconnect` just before it sends CONNECT with `client.options`.
 */
export function resignOnReconnect(client: MqttClient, sign: () => MqttCredentials): void {
  client.on('reconnect', () => Object.assign(client.options, sign()));
}

/** Disconnects cleanly and connects again (a device restarting); resolves once connected. */
export function restartClient(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.end(false, {}, (err) => {
      if (err) return reject(err);
      client.once('connect', () => resolve());
      client.reconnect();
    });
  });
}

export interface OtaDeviceOptions extends Omit<OtaSimulatorOptions, 'publish' | 'restart' | 'productKey' | 'deviceName'> {
  device: { productKey: string; deviceName: string; deviceSecret: string };
  mqttUrl: string;
  /** Ask for a pending upgrade (`thing/ota/firmware/get`) after the first connect. */
  askForUpgrade?: boolean;
  mqttOptions?: Partial<IClientOptions>;
}

export interface OtaDevice {
  ota: OtaSimulator;
  client: MqttClient;
  /** Stops any upgrade and disconnects. */
  close(): Promise<void>;
}

/**
 * A simulated device that does only OTA, on its own MQTT connection: resolves once it is connected, subscribed and
 * has informed its versions. Small per device (one connection, no image kept), for many devices in one process.
 */
export function startOtaDevice(options: OtaDeviceOptions): Promise<OtaDevice> {
  const { device, mqttUrl, askForUpgrade, mqttOptions, ...rest } = options;
  const sign = () => signDevice(options.dialect, device);
  const client = mqtt.connect(mqttUrl, { ...sign(), keepalive: 60, reconnectPeriod: 1000, protocolVersion: 4, ...mqttOptions });
  resignOnReconnect(client, sign);
  const ota = new OtaSimulator({
    ...rest, productKey: device.productKey, deviceName: device.deviceName,
    publish: (topic, payload) => client.publishAsync(topic, payload),
    restart: () => restartClient(client),
  });
  client.on('message', (topic, payload) => ota.handle(topic, payload));
  let first = true;
  return new Promise((resolve, reject) => {
    client.on('connect', () => {
      void (async () => {
        await client.subscribeAsync(ota.topics, { qos: 1 });
        await ota.connected();
        if (first) {
          first = false;
          if (askForUpgrade) await ota.requestFirmware();
          resolve({
            ota, client,
            close: async () => {
              ota.stop();
              await client.endAsync();
            },
          });
        }
      })().catch((err: Error) => options.log?.(`ota: after connecting: ${err.message}`));
    });
    client.on('error', (err) => {
      if (first) {
        client.end(true);
        reject(err);
      }
    });
  });
}
