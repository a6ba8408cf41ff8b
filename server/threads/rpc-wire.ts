/**
 * What crosses between a worker thread and the main thread (rpc-thread.ts, serve-calls.ts). Values are
 * structured-cloned; errors keep their message and, for an {@link ApiError}, status, code and details, so an API
 * answer built from a thread's refusal is the one the same code gives in-process.
 */
import { ApiError } from '../errors.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Call {
  id: number;
  method: string;
  args: unknown[];
}

export type WireError = { message: string; name: string; stack?: string; api?: { status: number; code: string; details?: unknown } };

export type Reply = { id: number; value: unknown } | { id: number; error: WireError };

/** A log record the thread hands to the main thread's logger. */
export interface ThreadLog {
  log: LogLevel;
  fields: Record<string, unknown>;
  msg: string;
}

export function toWire(err: unknown): WireError {
  if (err instanceof ApiError) return { name: err.name, message: err.message, stack: err.stack, api: { status: err.status, code: err.code, details: err.details } };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

export function fromWire(wire: WireError): Error {
  const err = wire.api ? new ApiError(wire.api.status, wire.api.code, wire.message, wire.api.details) : new Error(wire.message);
  if (!wire.api) err.name = wire.name;
  // The thread's stack says where it failed; the caller's await adds nothing a reader needs.
  if (wire.stack) err.stack = wire.stack;
  return err;
}
