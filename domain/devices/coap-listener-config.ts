/** What a `CoAP listener` node configures (server/coap-ingress/coap-listener.ts runs it). */
export interface CoapListenerConfig {
  /** UDP port (0: any free one, read back from the listener). */
  port: number;
  /** Address the UDP socket binds. */
  host: string;
  /** Largest body of a post, block-wise transfers included; larger ones are answered 4.13 and not processed. */
  maxBodyBytes: number;
  /** How long a token from `/auth` is good for. */
  tokenTtlMs: number;
  /** A device is online while its last request is at most this old (or while it observes its commands). */
  onlineWindowMs: number;
  /** Posts per second per device, bursts of twice that (0: none). Over it: 4.29. */
  ratePerDevice: number;
  /** How long flows have to answer a post before it gets 5.04; absent: the device hub's default. */
  replyTimeoutMs?: number;
}
