/**
 * What flow nodes see of outgoing notifications: `services.notify`. Nodes depend on this interface only; the
 * composition root hands them the {@link WebhookOutbox} behind it.
 */

/** One webhook to deliver. */
export interface NotificationRequest {
  /** The flow node that sends it, shown in the API and used by {@link NotifyService.subscribe}; null for others. */
  nodeId: string | null;
  /** An `http:` or `https:` URL without user info. */
  url: string;
  method?: 'POST';
  /**
   * Extra headers; the `Content-Type` and `X-Thingwire-*` headers are the outbox's own and may not be set. Stored
   * encrypted; the API shows their names only.
   */
  headers?: Readonly<Record<string, string>>;
  /** The JSON text to send; it is sent and signed byte for byte as given. */
  body: string;
  /**
   * The key the body is signed with, stored sealed under `ref` (a flow node uses `node:<id>`). Giving another
   * secret under the same ref replaces it, for the sender's pending notifications too: each attempt is signed
   * afresh, and a receiver that rotated its secret along with the sender expects the new one.
   */
  signingKey: { ref: string; secret: string };
  /** Per attempt; 100 ms to 60 s, default 5 s. */
  timeoutMs?: number;
  /** Attempts before the notification counts as failed; 1 to 50, default 8. */
  maxAttempts?: number;
}

/** How a notification ended: delivered (a 2xx answer) or failed (a permanent error, or out of attempts). */
export interface NotificationOutcome {
  id: string;
  nodeId: string | null;
  state: 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

/** The notification outbox as nodes use it. */
export interface NotifyService {
  /**
   * Stores the notification durably (it survives a restart) and schedules its delivery; resolves once it is
   * committed. Rejects with a `NotifyError` for a request that can never be delivered, a full or closed outbox.
   */
  enqueue(request: NotificationRequest): Promise<{ id: string }>;
  /**
   * Why no notification to `url` could ever be delivered, whatever DNS answers: its host is an IP address the
   * platform's outbound policy refuses, or its port is one other protocols use. A sentence saying how to allow it;
   * undefined when attempts may succeed (a host name is judged by what it resolves to, at each attempt).
   */
  urlRefusal(url: string): string | undefined;
  /**
   * Calls `listener` with the outcome of each notification node `nodeId` sent; returns the unsubscribe. Outcomes are
   * heard on the node that delivers (in a cluster, the leader).
   */
  subscribe(nodeId: string, listener: (outcome: NotificationOutcome) => void): () => void;
}
