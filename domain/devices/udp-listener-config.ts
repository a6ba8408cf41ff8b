/** What a `UDP listener` node configures (server/udp-ingress/udp-listener.ts runs it). */
export interface UdpListenerConfig {
  /** UDP port (0: any free one, read back from the listener). */
  port: number;
  /** Address the UDP socket binds. */
  host: string;
  /** The product whose codec reads datagrams from addresses nobody signed in from (a codec `login`); '' for none. */
  productKey: string;
  /**
   * A sign-in (or a token datagram) binds its source address and port to the device for its online window: later
   * datagrams from there are that device's without a token. Off: only datagrams carrying a token are taken.
   */
  bindAddress: boolean;
  /** Larger datagrams are dropped (and, from a bound address, refused with 413 in the device's message log). */
  maxDatagramBytes: number;
  /** Datagrams per second per source IP address, bursts of twice that (0: none); beyond it they are dropped unread. */
  ratePerAddress: number;
  /** Addresses bound at once; binding one more forgets the one silent longest. */
  maxBoundAddresses: number;
  /** How long a token from a sign-in is good for (and so a binding at most). */
  tokenTtlMs: number;
  /** A device is online, and its address bound, while its last datagram is at most this old. */
  onlineWindowMs: number;
  /** Messages per second per device, bursts of twice that (0: none). Over it: 429 in the message log. */
  ratePerDevice: number;
  /** How long flows have to give a post its verdict before it is answered 504; absent: the device hub's default. */
  replyTimeoutMs?: number;
}
