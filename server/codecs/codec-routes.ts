import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import { badRequest } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import { ProductParams } from '../../domain/products/product-schemas.ts';
import type { CodecError, CompileError } from './codec-sandbox.ts';
import type { CodecStore } from './codec-store.ts';

const maxSourceChars = 64 * 1024;
const Source = Type.String({ minLength: 1, maxLength: maxSourceChars, description: 'The codec\'s JavaScript (docs/codecs.md)' });
const VersionInfo = Type.Object({
  version: Type.Integer({ minimum: 1 }), publishedAt: Type.String({ format: 'date-time' }), publishedBy: Type.String(),
});
const DraftInfo = Type.Object({
  source: Type.String(), updatedAt: Type.String({ format: 'date-time' }), updatedBy: Type.String(), unpublishedChanges: Type.Boolean(),
});
const BenchError = Type.Object({
  kind: Type.String({ description: 'A call\'s error (threw, timeout, memory, invalid-result) or a load\'s (syntax, missing-function, …)' }),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
});
const TestBody = Type.Object({
  source: Type.Optional(Type.String({ maxLength: maxSourceChars, description: 'The codec to try; default: the draft' })),
  decode: Type.Optional(Type.Object({
    hex: Type.String({ maxLength: 8192, pattern: '^\\s*([0-9A-Fa-f]{2}\\s*)*$', description: 'The frame\'s bytes in hex; spaces allowed' }),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Handed to decode; productKey is set by the server' })),
  }, { additionalProperties: false })),
  encode: Type.Optional(Type.Object({
    command: Type.Unknown({ description: 'A command: {kind, params, serviceId?, id}' }),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
const TestResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), messages: Type.Array(Type.Unknown()) }),
  Type.Object({ ok: Type.Literal(true), hex: Type.String() }),
  Type.Object({ ok: Type.Literal(false), error: BenchError }),
]);
const base = '/products/:productKey/codec';
/**
 * Saving, publishing and trying a codec runs user code. The sandbox keeps it from the host, but it is still code the
 * server runs, so it takes what deploying a function node takes (docs/security.md); reading it is a product read.
 */
const codeAccess = 'flows:code';

/**
 * `/api/v1/products/:productKey/codec`: save a codec draft (compiled first), publish it as an immutable numbered
 * version, read any version, and try a codec on bytes or a command (the test bench).
 */
export function registerCodecRoutes(table: RouteTable, codecs: CodecStore, auth: AuthService): void {
  table.add({
    method: 'get', path: base, access: 'products:read', tag: 'codecs',
    summary: 'The codec draft (with its source) and which version is published',
    params: ProductParams,
    response: Type.Object({
      productKey: Type.String(), draft: Type.Union([DraftInfo, Type.Null()]), published: Type.Union([VersionInfo, Type.Null()]),
    }),
    handler: ({ params }) => codecs.summary(params.productKey),
  });
  table.add({
    method: 'put', path: `${base}/draft`, access: codeAccess, tag: 'codecs',
    summary: 'Save the codec draft; it is compiled first, and one that does not load or lacks decode saves nothing',
    params: ProductParams, body: Type.Object({ source: Source }, { additionalProperties: false }), response: DraftInfo,
    errors: { 422: 'validation_failed: the codec does not load; details: {kind, message, line?, column?}' },
    async handler({ params, body, principal }) {
      const draft = await codecs.saveDraft(params.productKey, body.source, principal.username);
      await auth.audit(principal.username, 'codec.draft.save', params.productKey, { chars: body.source.length });
      return draft;
    },
  });
  table.add({
    method: 'post', path: `${base}/publish`, access: codeAccess, tag: 'codecs', status: 201,
    summary: 'Publish the draft as the next version; 409 codec_unchanged when it equals the latest version',
    params: ProductParams, response: VersionInfo,
    errors: { 409: 'codec_unchanged: the draft is what the latest version publishes' },
    async handler({ params, principal }) {
      const version = await codecs.publish(params.productKey, principal.username);
      await auth.audit(principal.username, 'codec.publish', params.productKey, { version: version.version });
      return version;
    },
  });
  table.add({
    method: 'get', path: `${base}/versions/:version`, access: 'products:read', tag: 'codecs',
    summary: 'A published version with its source',
    params: Type.Composite([ProductParams, Type.Object({ version: Type.Integer({ minimum: 1 }) })]),
    response: Type.Composite([VersionInfo, Type.Object({ source: Type.String() })]),
    handler: ({ params }) => codecs.version(params.productKey, params.version),
  });
  table.add({
    method: 'post', path: `${base}/test`, access: codeAccess, tag: 'codecs',
    summary: 'Try a codec (default: the draft) on a frame (decode) or a command (encode); answers its result or its error',
    params: ProductParams, body: TestBody, response: TestResult,
    async handler({ params, body, principal }) {
      if ((body.decode === undefined) === (body.encode === undefined)) throw badRequest('Send either decode {hex} or encode {command}.');
      const source = body.source ?? await codecs.draftSource(params.productKey);
      const fn = body.decode ? 'decode' : 'encode';
      const context = { ...(body.decode ?? body.encode)?.context, productKey: params.productKey };
      const result = await codecs.bench(source, (sandbox, key, compiled) => {
        if (!compiled.ok) return failed(compiled.error);
        if (!sandbox.defines(key, fn)) return failed({ kind: 'missing-function', message: `The codec must define function ${fn}(…).` });
        if (body.decode) {
          const r = sandbox.decode(key, Buffer.from(body.decode.hex.replace(/\s+/g, ''), 'hex'), context);
          return r.ok ? { ok: true as const, messages: r.value } : failed(r.error);
        }
        const r = sandbox.encode(key, body.encode!.command, context);
        return r.ok ? { ok: true as const, hex: Buffer.from(r.value).toString('hex') } : failed(r.error);
      });
      await auth.audit(principal.username, 'codec.test', params.productKey, {
        function: fn, draft: body.source === undefined, ok: result.ok, ...(result.ok ? {} : { error: result.error.kind }),
      });
      return result;
    },
  });
}

const failed = (error: CodecError | CompileError) => ({ ok: false as const, error });
