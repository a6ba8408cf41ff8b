import type { RouteTable } from './route-table.ts';

const errorEnvelope = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** OpenAPI 3.1 document generated from the same route specs that validate requests, so it cannot drift. */
export function openApiDocument(table: RouteTable, version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of table.routes) {
    const path = '/api/v1' + r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters = [
      ...Object.entries((r.params?.properties ?? {}) as Record<string, object>).map(([name, schema]) => ({ name, in: 'path', required: true, schema: plain(schema) })),
      ...Object.entries((r.query?.properties ?? {}) as Record<string, object>).map(([name, schema]) => ({
        // TypeBox lists a property with a default as required; the server fills it in, so the caller need not send it.
        name, in: 'query', required: ((r.query?.required ?? []) as string[]).includes(name) && !('default' in schema), schema: plain(schema),
      })),
    ];
    const content: Record<string, object> = {};
    if (r.body) content['application/json'] = { schema: plain(r.body) };
    for (const t of r.textBody ?? []) content[t] = { schema: { type: 'string' } };
    const ok = r.status ?? 200;
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.access === 'public' ? { security: [] } : {}),
      'x-permission': r.access,
      ...(parameters.length ? { parameters } : {}),
      ...(Object.keys(content).length ? { requestBody: { required: true, content } } : {}),
      responses: {
        [ok]: { description: 'success', ...(r.response ? { content: { 'application/json': { schema: plain(r.response) } } } : {}) },
        ...Object.fromEntries(Object.entries(r.errors ?? {}).map(([status, description]) => [status, { description, content: errorContent }])),
        default: { description: 'error', content: errorContent },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Thingwire API', version },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Session token from /api/v1/auth/login or an API token' },
        session: { type: 'apiKey', in: 'cookie', name: 'thingwire_session' },
      },
      schemas: { Error: errorEnvelope },
    },
    paths,
  };
}

/** TypeBox schemas carry symbol keys; JSON round-trip leaves the plain JSON Schema. */
const plain = (schema: object): object => JSON.parse(JSON.stringify(schema));
