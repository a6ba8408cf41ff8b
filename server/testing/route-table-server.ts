import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Principal } from '../../domain/auth/permissions.ts';
import { rolePermissions, type Role } from '../../domain/auth/permissions.ts';
import { ApiError } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';

/**
 * Serves one route table on a loopback port for route tests that do not need the whole platform. The bearer token
 * is the caller's role (`Authorization: Bearer engineer`); errors answer the API's envelope.
 */
export async function serveRouteTable(table: RouteTable): Promise<{ base: string; close(): Promise<void> }> {
  const permissions = rolePermissions();
  const router = express.Router();
  router.use(express.json());
  table.mount(router, async (req) => {
    const role = req.headers.authorization?.replace(/^Bearer /, '') as Role | undefined;
    return role ? ({ userId: 1, username: `${role}1`, role, permissions: permissions[role], via: 'api-token' } satisfies Principal) : undefined;
  });
  const app = express();
  app.use('/api/v1', router);
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (!(err instanceof ApiError)) throw err;
    res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
