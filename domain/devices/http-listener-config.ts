/** What an `HTTP listener` node configures (server/http-ingress/http-ingress.ts runs it). */
export interface HttpListenerConfig {
  /** 0: on the platform's HTTP port, under `path`; else a port of its own. */
  port: number;
  /** Address its own port binds (unused on the platform's port). */
  host: string;
  /** Where the device routes start: `{path}/auth`, `{path}/topic/…`, `{path}/commands`. */
  path: string;
  /** Largest body of a post; larger ones are answered 413 and not processed. */
  maxBodyBytes: number;
  /** How long a token from `/auth` is good for. */
  tokenTtlMs: number;
  /** A device is online while its last request is at most this old. */
  onlineWindowMs: number;
  /** Posts per second per device, bursts of twice that (0: none). Over it: 429. */
  ratePerDevice: number;
  /** How long flows have to answer a post before it gets 504; absent: the device hub's default. */
  replyTimeoutMs?: number;
}
