import { Type } from '@sinclair/typebox';

/**
 * The settings the HTTP and CoAP listener nodes share: both frame a token ingress (server/ingress/token-ingress.ts),
 * so what limits it is the same; `timeoutCode` is how the listener's devices are told a post had no verdict in time.
 */
export function tokenListenerFields(timeoutCode: string) {
  return {
    maxBodyBytes: Type.Integer({ title: 'Max body (bytes)', minimum: 64, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
    tokenTtlSeconds: Type.Integer({ title: 'Token lifetime (s)', minimum: 60, maximum: 86_400, default: 3600 }),
    onlineWindowSeconds: Type.Integer({ title: 'Online window (s)', description: 'Online while the last request is this recent', minimum: 1, maximum: 86_400, default: 300 }),
    ratePerDevice: Type.Number({ title: 'Rate per device (msg/s)', minimum: 0, maximum: 100_000, default: 100 }),
    replyTimeoutMs: Type.Integer({ title: 'Reply timeout (ms)', description: `Unanswered posts get ${timeoutCode} after this`, minimum: 100, maximum: 60_000, default: 5000 }),
  };
}

/** Those settings as the listener takes them (milliseconds). */
export function tokenListenerSettings(config: {
  maxBodyBytes: number; tokenTtlSeconds: number; onlineWindowSeconds: number; ratePerDevice: number; replyTimeoutMs: number;
}) {
  return {
    maxBodyBytes: config.maxBodyBytes,
    tokenTtlMs: config.tokenTtlSeconds * 1000,
    onlineWindowMs: config.onlineWindowSeconds * 1000,
    ratePerDevice: config.ratePerDevice,
    replyTimeoutMs: config.replyTimeoutMs,
  };
}
