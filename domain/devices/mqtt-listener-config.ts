/** How an `mqtt listener` node configures the embedded broker (server/mqtt/mqtt-listener.ts runs it). */

/** What an MQTT listener node configures. Changing `port`, `host`, `tls` or `wsPath` restarts the listener. */
export interface MqttListenerConfig {
  port: number;
  host: string;
  /** MQTT over TLS on its own port, with a PEM certificate chain and key. */
  tls?: { port: number; cert: string; key: string };
  /** MQTT over WebSocket on the platform's HTTP server at this path (e.g. `/mqtt`); empty: none. */
  wsPath?: string;
  /** Largest accepted PUBLISH payload; larger ones are answered 400 and not processed. */
  maxPayloadBytes: number;
  /** Messages per second per device (burst: twice that); 0 = no limit. Over the limit: 429. */
  ratePerDevice: number;
  /** Accepted CONNECT keepalive range in seconds; a device outside it is refused. */
  keepaliveMin: number;
  keepaliveMax: number;
  /** How long flows have to answer an uplink before it gets 504; absent: the device hub's default. */
  replyTimeoutMs?: number;
  /** How long a new connection has to sign in (CONNECT accepted) before it is closed; default 10 s. */
  signInTimeoutMs?: number;
  /** Connections that have not signed in yet, at most; more are closed as they arrive. Default 2,000. */
  maxPendingSignIns?: number;
}
