import { Type, type Static } from '@sinclair/typebox';
import { PRODUCT_KEY_PATTERN } from './identity.ts';

/**
 * The request and response shapes of products, declared once: the routes validate and document with them, the store
 * is typed by them.
 */

export const ProductKey = Type.String({ pattern: PRODUCT_KEY_PATTERN });

export const Dialect = Type.Union([Type.Literal('alink'), Type.Literal('things')], {
  description: 'Topic dialect its devices speak (docs/protocol.md "Dialects"); informational: each device\'s credentials decide its dialect. Default alink',
});

export const NodeType = Type.Union([Type.Literal('direct'), Type.Literal('gateway'), Type.Literal('sub-device')], {
  description: 'How its devices reach the platform (Alibaba\'s nodeType): direct (default) connect themselves; a gateway '
    + 'connects and speaks for its sub-devices; a sub-device is reached only through a gateway (docs/protocol.md '
    + '"Gateways and sub-devices"). Set at creation; it cannot be changed',
});

export const SignMethod = Type.Union([Type.Literal('hmacsha256'), Type.Literal('hmacsha1'), Type.Literal('hmacmd5')]);

/**
 * How the product's devices sign in. Every field is optional in requests: on create an absent field takes its
 * default, on update it keeps its value. (No `default` keywords: ajv would fill them into updates too.)
 */
export const ProductAuthInput = Type.Object({
  signMethods: Type.Optional(Type.Array(SignMethod, {
    minItems: 1, uniqueItems: true,
    description: 'Accepted signmethod values; default [hmacsha256, hmacsha1]. hmacmd5 is for legacy firmware only.',
  })),
  timestampWindowSeconds: Type.Optional(Type.Integer({
    minimum: 10, maximum: 86_400, description: 'Largest accepted distance of a signed timestamp from server time; default 300',
  })),
  requireTimestamp: Type.Optional(Type.Boolean({ description: 'Refuse signatures without a timestamp; default false' })),
  dynamicRegistration: Type.Optional(Type.Boolean({
    description: 'Devices holding the product secret may register themselves; default false',
  })),
}, { additionalProperties: false });

export const ProductAuth = Type.Required(ProductAuthInput);

/** The longest retention a product can set: 100 years, beyond which "forever" (null) says it better. */
export const MAX_RETENTION_DAYS = 36_500;

export const RetentionDays = Type.Union([Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS }), Type.Null()], {
  description: `Days the product's telemetry is kept, 1..${MAX_RETENTION_DAYS}; null keeps it forever; default null`,
});

// An enum rather than a union of literals: a wrong value is told "must be one of refuse, clamp", once.
export const FutureTimes = Type.Unsafe<'refuse' | 'clamp'>({
  enum: ['refuse', 'clamp'],
  description: 'What becomes of a device time further ahead of the server clock than the platform allows '
    + '(--max-clock-skew, default 5 min): refuse answers the post 400 and processes nothing; clamp takes the receive '
    + 'time instead and processes it. Default refuse',
});

export const NewProduct = Type.Object({
  productKey: Type.Optional(Type.String({
    pattern: PRODUCT_KEY_PATTERN, description: 'Unique; generated (11 characters) when left out',
  })),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  dialect: Type.Optional(Dialect),
  nodeType: Type.Optional(NodeType),
  auth: Type.Optional(ProductAuthInput),
  retentionDays: Type.Optional(RetentionDays),
  futureTimes: Type.Optional(FutureTimes),
}, { additionalProperties: false });

/**
 * What a product's owner may change: every field of a new product but its key and node type, each optional. The node
 * type is fixed, as on Alibaba's platform: sub-devices' topology and sessions hang on it.
 */
export const ProductPatch = Type.Partial(Type.Omit(NewProduct, ['productKey', 'nodeType']));

export const Product = Type.Object({
  productKey: Type.String(),
  name: Type.String(),
  description: Type.String(),
  dialect: Dialect,
  nodeType: NodeType,
  auth: ProductAuth,
  retentionDays: RetentionDays,
  futureTimes: FutureTimes,
  deviceCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const CreatedProduct = Type.Composite([Product, Type.Object({
  productSecret: Type.String({ description: 'Shown only in this response; an admin can reveal it later' }),
})]);

export type Dialect = Static<typeof Dialect>;
export type NodeType = Static<typeof NodeType>;
export type SignMethod = Static<typeof SignMethod>;
export type FutureTimes = Static<typeof FutureTimes>;
export type ProductAuth = Static<typeof ProductAuth>;
export type NewProduct = Static<typeof NewProduct>;
export type ProductPatch = Static<typeof ProductPatch>;
export type Product = Static<typeof Product>;

/** Path parameters of every route below `/products/:productKey`. */
export const ProductParams = Type.Object({ productKey: ProductKey });
