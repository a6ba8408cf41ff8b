import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import { ProductParams } from '../../domain/products/product-schemas.ts';
import type { ThingModelStore } from './thing-model-store.ts';

const VersionInfo = Type.Object({
  version: Type.Integer({ minimum: 1 }), publishedAt: Type.String({ format: 'date-time' }), publishedBy: Type.String(),
});
const DraftInfo = Type.Object({
  updatedAt: Type.String({ format: 'date-time' }), updatedBy: Type.String(), unpublishedChanges: Type.Boolean(),
});
const TslBody = Type.Unknown({
  description: 'Alibaba TSL JSON {properties, services, events}, as Alibaba\'s console exports it; kept unchanged',
});
const base = '/products/:productKey/thing-model';

/**
 * `/api/v1/products/:productKey/thing-model`: import a TSL draft, publish it as an immutable numbered version, and
 * export the draft or any version as the TSL JSON that was imported.
 */
export function registerThingModelRoutes(table: RouteTable, thingModels: ThingModelStore, auth: AuthService): void {
  table.add({
    method: 'get', path: base, access: 'products:read', tag: 'thing models',
    summary: 'Whether the product has a draft (and unpublished changes) and which version is published',
    params: ProductParams,
    response: Type.Object({
      productKey: Type.String(), draft: Type.Union([DraftInfo, Type.Null()]), published: Type.Union([VersionInfo, Type.Null()]),
    }),
    handler: ({ params }) => thingModels.summary(params.productKey),
  });
  table.add({
    method: 'put', path: `${base}/draft`, access: 'products:write', tag: 'thing models',
    summary: 'Import the draft (Alibaba TSL JSON); 422 invalid_thing_model lists every problem by path, and saves nothing',
    params: ProductParams, body: TslBody, response: DraftInfo,
    async handler({ params, req, principal }) {
      // The route table hands an absent body on as {}, which is a valid (empty) thing model: refuse it here.
      if (req.body === undefined) throw badRequest('Send the TSL JSON document as the body (Content-Type: application/json).');
      const draft = await thingModels.saveDraft(params.productKey, req.body, principal.username);
      await auth.audit(principal.username, 'thing-model.draft.save', params.productKey);
      return draft;
    },
  });
  table.add({
    method: 'get', path: `${base}/draft`, access: 'products:read', tag: 'thing models',
    summary: 'Export the draft as TSL JSON', params: ProductParams,
    handler: async ({ params, res }) => sendTsl(res, await thingModels.draftTsl(params.productKey)),
  });
  table.add({
    method: 'post', path: `${base}/publish`, access: 'products:write', tag: 'thing models', status: 201,
    summary: 'Publish the draft as the next version; 409 thing_model_unchanged when it equals the latest version',
    params: ProductParams, response: VersionInfo,
    async handler({ params, principal }) {
      const version = await thingModels.publish(params.productKey, principal.username);
      await auth.audit(principal.username, 'thing-model.publish', params.productKey, { version: version.version });
      return version;
    },
  });
  table.add({
    method: 'get', path: `${base}/versions`, access: 'products:read', tag: 'thing models',
    summary: 'Published versions, newest first', params: ProductParams,
    response: Type.Object({ items: Type.Array(VersionInfo) }),
    handler: async ({ params }) => ({ items: await thingModels.versions(params.productKey) }),
  });
  table.add({
    method: 'get', path: `${base}/versions/:version`, access: 'products:read', tag: 'thing models',
    summary: 'Export a published version as the TSL JSON it was published with',
    params: Type.Composite([ProductParams, Type.Object({ version: Type.Integer({ minimum: 1 }) })]),
    handler: async ({ params, res }) => sendTsl(res, await thingModels.versionTsl(params.productKey, params.version)),
  });
}

/** Sends stored TSL text as it is, rather than re-serialising a parsed copy. */
function sendTsl(res: Response, tsl: string): void {
  res.type('application/json').send(tsl);
}
