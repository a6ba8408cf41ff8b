import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';

/** The socket's receive buffer asked for (the kernel caps it at net.core.rmem_max). */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A UDP socket bound to `port` on `host` for a device listener (CoAP, UDP), or the bind error. No address reuse: a
 * port another process holds is an error here, not two listeners splitting the datagrams. A receive buffer larger
 * than the usual 208 KB takes a burst (a fleet waking at once) instead of dropping it. Errors after the bind (a send
 * to a vanished device) are logged as `{what} socket error`, never thrown: they must not end the process.
 */
export async function bindUdpSocket(port: number, host: string, logger: Pick<Logger, 'warn'>, what: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false, recvBufferSize: RECEIVE_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  socket.on('error', (err) => logger.warn({ err }, `${what} socket error`));
  return socket;
}
