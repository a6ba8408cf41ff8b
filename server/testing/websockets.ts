import WebSocket from 'ws';

/** A WebSocket upgrade the server answered with an HTTP status instead: its status and body (the error envelope). */
export class UpgradeRefused extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}`);
  }
}

/** Opens a WebSocket; rejects with {@link UpgradeRefused} (message `HTTP <status>`) when the upgrade is refused. */
export function openWebSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
    });
    ws.once('error', reject);
  });
}

/** Sends `text` and resolves with the first message back. */
export function echoed(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.send(text);
  });
}

/** Closes a socket and waits until it is closed (an open one holds up the server's close). */
export function closeWebSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
