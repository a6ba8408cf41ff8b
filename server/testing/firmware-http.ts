import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the firmware server got, and how it ended. */
export interface FirmwareRequest {
  path: string;
  range?: string;
  ifRange?: string;
  status: number;
  /** Bytes of the body written before the response finished or its connection closed. */
  sent: number;
  /** False while it runs; true once the whole body went out; 'closed' when the client dropped the connection first. */
  finished: boolean | 'closed';
}

export interface FirmwareImage {
  bytes: Buffer;
  sha256: string;
  md5: string;
}

export interface FirmwareServer {
  url: string;
  /** Every request, oldest first. */
  requests: FirmwareRequest[];
  /** Serves `image` at `/{name}` (`Range: bytes=N-`, `ETag`, `If-Range`), as the platform's download route does. */
  serve(name: string, image: FirmwareImage, behaviour?: {
    /** Answer this many requests 503 with `Retry-After` first. */
    busy?: number;
    retryAfter?: string;
    /** Send this many bytes, then hold the response open until `release(name)`. */
    holdAfter?: number;
  }): string;
  /** Lets held responses of `name` finish. */
  release(name: string): void;
  close(): Promise<void>;
}

/** A random image of `size` bytes with its hashes. */
export function firmwareImage(size: number): FirmwareImage {
  const bytes = randomBytes(size);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex') };
}

const CHUNK = 16 * 1024;

/**
 * A loopback HTTP server that serves firmware images the way docs/ota.md "Downloads" describes (206 with
 * `Content-Range` for `Range: bytes=N-`, the SHA-256 as `ETag`, `503 Retry-After` when busy), writing in 16 KiB
 * pieces with backpressure so a client can drop the connection halfway, and recording every request.
 */
export async function startFirmwareServer(): Promise<FirmwareServer> {
  const routes = new Map<string, { image: FirmwareImage; busy: number; retryAfter: string; holdAfter?: number; held: (() => void)[]; released: boolean }>();
  const requests: FirmwareRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    const record: FirmwareRequest = { path, status: 0, sent: 0, finished: false, ...(range ? { range } : {}), ...(typeof ifRange === 'string' ? { ifRange } : {}) };
    requests.push(record);
    const answer = (status: number, headers: Record<string, string | number> = {}) => {
      record.status = status;
      res.writeHead(status, headers);
    };
    const route = routes.get(path.slice(1));
    if (!route) {
      answer(404);
      record.finished = true;
      return res.end();
    }
    if (route.busy > 0) {
      route.busy--;
      answer(503, { 'retry-after': route.retryAfter });
      record.finished = true;
      return res.end();
    }
    const { bytes, sha256 } = route.image;
    const etag = `"${sha256}"`;
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m && (ifRange === undefined || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= bytes.length) {
        answer(416, { 'content-range': `bytes */${bytes.length}` });
        record.finished = true;
        return res.end();
      }
      answer(206, { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`, 'content-length': bytes.length - start, etag, 'accept-ranges': 'bytes' });
    } else {
      answer(200, { 'content-length': bytes.length, etag, 'accept-ranges': 'bytes' });
    }
    res.on('close', () => {
      if (record.finished !== true) record.finished = 'closed';
    });
    let at = start;
    const pump = () => {
      while (at < bytes.length) {
        if (route.holdAfter !== undefined && at >= route.holdAfter && !route.released) {
          route.held.push(pump);
          return;
        }
        const end = Math.min(bytes.length, at + CHUNK);
        const more = res.write(bytes.subarray(at, end));
        record.sent += end - at;
        at = end;
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(() => (record.finished = true));
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    serve(name, image, behaviour = {}) {
      routes.set(name, { image, busy: behaviour.busy ?? 0, retryAfter: behaviour.retryAfter ?? '0', holdAfter: behaviour.holdAfter, held: [], released: false });
      return `${url}/${name}`;
    },
    release(name) {
      const route = routes.get(name);
      if (!route) return;
      route.released = true;
      for (const resume of route.held.splice(0)) resume();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
