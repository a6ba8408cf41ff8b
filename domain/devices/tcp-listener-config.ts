/** How a TCP device cuts its byte stream into frames (docs/protocol.md "TCP devices"). */
export type TcpFraming = 'newline' | 'length16' | 'length32' | 'fixed' | 'codec';

/** What a `TCP listener` node configures (server/tcp-ingress/tcp-listener.ts runs it). */
export interface TcpListenerConfig {
  /** TCP port (0: any free one, read back from the listener). */
  port: number;
  /** Address the server binds. */
  host: string;
  framing: TcpFraming;
  /** `fixed`: the length of every frame. */
  fixedBytes: number;
  /** A longer frame, or a length prefix announcing one, closes the connection before it is buffered. */
  maxFrameBytes: number;
  /**
   * The product whose published codec reads frames before sign-in (a codec `login`, and `frame` when framing is
   * `codec`); empty: none (the first frame is a JSON sign-in).
   */
  productKey: string;
  /** How long a new connection has to sign in before it is closed. */
  signInTimeoutMs: number;
  /** Connections that have not signed in yet, at most; more are closed as they arrive. */
  maxPendingSignIns: number;
  /** A signed-in connection with no frame for this long is closed (`keepalive-timeout`). */
  idleTimeoutMs: number;
  /** Frames per second per device, bursts of twice that (0: none). Over it: 429 in the message log. */
  ratePerDevice: number;
  /** Bytes waiting to be written to a device that does not read, at most; over it the connection is closed. */
  maxWriteBufferBytes: number;
  /** How long flows have to answer an uplink before it gets 504; absent: the device hub's default. */
  replyTimeoutMs?: number;
}
