import net from 'node:net';

/** A start that cannot succeed, said in one line (what, and what to do); `main.ts` prints it without a stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface PortUse {
  port: number;
  host: string;
  /** What the port is for, and how to choose another: "HTTP (--port)". */
  what: string;
}

/**
 * Binds each port for a moment, before the start changes anything (the first admin, the first flows): a port in use
 * fails the start with a one-line reason instead of a log line after "Thingwire started". Port 0 (any) is skipped.
 */
export async function checkPortsFree(uses: readonly PortUse[]): Promise<void> {
  for (const use of uses) {
    if (use.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs privileges this process lacks' : `cannot be bound (${err.code ?? err.message})`;
        reject(new StartupError(`port ${use.port} on ${use.host} for ${use.what} ${why}: stop what holds it, or choose another port`));
      });
      probe.listen({ port: use.port, host: use.host, exclusive: true }, () => probe.close(() => resolve()));
    });
  }
}

/** The ports the MQTT listener nodes of a stored flows file will bind (TCP and TLS). */
export function listenerPortsIn(flows: unknown): PortUse[] {
  if (!Array.isArray(flows)) return [];
  const uses: PortUse[] = [];
  for (const node of flows as { type?: string; id?: string; name?: string; port?: unknown; tlsPort?: unknown; host?: unknown; d?: boolean }[]) {
    if (node?.type !== 'thing-mqtt-listener' || node.d) continue;
    const host = typeof node.host === 'string' ? node.host : '0.0.0.0';
    const label = `the MQTT listener "${node.name || node.id}" (edit its node in the flows)`;
    if (typeof node.port === 'number') uses.push({ port: node.port, host, what: label });
    if (typeof node.tlsPort === 'number' && node.tlsPort > 0) uses.push({ port: node.tlsPort, host, what: `${label}, TLS` });
  }
  return uses;
}
