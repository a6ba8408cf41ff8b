import { Type, type TSchema } from '@sinclair/typebox';

/** One page of a listing, as every paged route answers it: the items, how many there are in all, and the window. */
export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
