import type { Static, TSchema, TUnknown } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { NextFunction, Request, Response, Router } from 'express';
import { allows, type Principal } from '../../domain/auth/permissions.ts';
import type { Permission } from '../../domain/auth/permissions.ts';
import { ApiError, forbidden, unauthorized, validationFailed } from '../errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Who may call a route: a permission, any signed-in user, or anyone (login, health). */
export type Access = Permission | 'authenticated' | 'public';

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** Undefined only on `public` routes. */
  principal: Principal;
  req: Request;
  res: Response;
}

/** One REST route, declared once: its schemas validate requests and generate `/api/v1/openapi.json`. */
export interface RouteSpec<B extends TSchema = TUnknown, Q extends TSchema = TUnknown, P extends TSchema = TUnknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path below `/api/v1`, e.g. `/products/:productKey`. */
  path: string;
  access: Access;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Extra request media types taken as raw text (e.g. `text/csv`); the handler parses them itself. */
  textBody?: string[];
  response?: TSchema;
  /** Success status; a handler returning undefined answers 204. */
  status?: number;
  /**
   * Refusals particular to this route, by status, with when they happen: documented in OpenAPI as responses of their
   * own (the error envelope). Refusals every route shares (401, 403, a request that fails its schemas) are not listed.
   */
  errors?: Record<number, string>;
  handler(ctx: RouteContext<Static<B>, Static<Q>, Static<P>>): unknown;
}

// Bodies are taken as sent (a wrong type is the caller's mistake to hear about); query strings and path params
// are text on the wire, so they are coerced.
const bodyAjv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: true }));
const textAjv = addFormats(new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true }));

/** ajv errors as `{path, message}` a person can act on. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined): { path: string; message: string }[] {
  const all = errors ?? [];
  // A union (`integer | null`, a choice of shapes) reports each failed branch and then itself. When a branch failed
  // on something other than its type, that is the useful message; when every branch failed on type, one message
  // naming the types says it. Either way the union's own "must match a schema in anyOf" goes.
  const dropped = new Set<ErrorObject>();
  const typeSummaries = new Map<ErrorObject, string>();
  for (const union of all.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const branches = all.filter((e) => e.schemaPath.startsWith(`${union.schemaPath}/`));
    const typeErrors = branches.filter((e) => e.keyword === 'type');
    if (typeErrors.length < branches.length) {
      dropped.add(union);
      for (const e of typeErrors) dropped.add(e);
    } else if (typeErrors.length > 0) {
      for (const e of typeErrors) dropped.add(e);
      typeSummaries.set(union, `must be ${[...new Set(typeErrors.map((e) => String(e.params.type)))].join(' or ')}`);
    }
  }
  return all.filter((e) => !dropped.has(e)).map((e) => {
    const path = e.keyword === 'required' ? `${e.instancePath}/${e.params.missingProperty}` : e.instancePath || '/';
    if (e.keyword === 'additionalProperties') {
      return { path: `${e.instancePath}/${e.params.additionalProperty}`, message: 'is not a known field' };
    }
    if (e.keyword === 'required') return { path, message: 'is required' };
    if (e.keyword === 'enum') return { path, message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
    return { path, message: typeSummaries.get(e) ?? e.message ?? 'is invalid' };
  });
}

/** The registered routes; mounted on an Express router and described as OpenAPI. */
export class RouteTable {
  readonly routes: RouteSpec<TSchema, TSchema, TSchema>[] = [];

  add<B extends TSchema = TUnknown, Q extends TSchema = TUnknown, P extends TSchema = TUnknown>(spec: RouteSpec<B, Q, P>): void {
    this.routes.push(spec as unknown as RouteSpec<TSchema, TSchema, TSchema>);
  }

  /**
   * Mounts every route. `authenticate` resolves the caller (or undefined); each route then checks its own access
   * before its schemas, so an unauthorised caller learns nothing about the request shape.
   */
  mount(router: Router, authenticate: (req: Request) => Promise<Principal | undefined>): void {
    for (const spec of this.routes) {
      const validateBody = spec.body && bodyAjv.compile(spec.body);
      const validateQuery = spec.query && textAjv.compile(spec.query);
      const validateParams = spec.params && textAjv.compile(spec.params);
      router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
        // The route pattern for the metrics, kept here: Express forgets the router's baseUrl once an error leaves it.
        res.locals['route'] = `${req.baseUrl}${spec.path}`;
        try {
          const principal = await authenticate(req);
          if (spec.access !== 'public') {
            if (!principal) throw unauthorized();
            if (spec.access !== 'authenticated' && !allows(principal, spec.access)) throw forbidden(spec.access);
          }
          const params = check(validateParams, { ...req.params }, 'path parameters');
          const query = check(validateQuery, { ...(req.query as object) }, 'query');
          const isText = typeof req.body === 'string';
          if (isText && !spec.textBody?.some((t) => req.is(t))) {
            throw new ApiError(415, 'unsupported_media_type', 'Send a JSON body (Content-Type: application/json).');
          }
          const body = isText ? req.body : check(validateBody, req.body ?? {}, 'body');
          const result = await spec.handler({ body, query, params, principal: principal!, req, res });
          if (res.headersSent) return;
          if (result === undefined) res.status(204).end();
          else res.status(spec.status ?? 200).json(result);
        } catch (err) {
          next(err);
        }
      });
    }
  }
}

function check(validate: ValidateFunction | undefined, value: unknown, where: string): never {
  if (validate && !validate(value)) {
    throw validationFailed(`The request ${where} is invalid.`, describeAjvErrors(validate.errors));
  }
  return value as never;
}
