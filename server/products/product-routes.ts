import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth-service.ts';
import type { RouteTable } from '../http/route-table.ts';
import { CreatedProduct, NewProduct, Product, ProductParams, ProductPatch } from '../../domain/products/product-schemas.ts';
import type { ProductStore } from './product-store.ts';

/** `/api/v1/products`: create, list, read, change and delete products; reveal a product secret (admins). */
export function registerProductRoutes(table: RouteTable, products: ProductStore, auth: AuthService): void {
  table.add({
    method: 'get', path: '/products', access: 'products:read', tag: 'products',
    summary: 'List products with their device counts',
    response: Type.Object({ items: Type.Array(Product) }),
    handler: async () => ({ items: await products.list() }),
  });
  table.add({
    method: 'post', path: '/products', access: 'products:write', tag: 'products', status: 201,
    summary: 'Create a product; the response holds its product secret, shown only this once',
    body: NewProduct, response: CreatedProduct,
    async handler({ body, principal }) {
      const { product, productSecret } = await products.create(body);
      await auth.audit(principal.username, 'product.create', product.productKey);
      return { ...product, productSecret };
    },
  });
  table.add({
    method: 'get', path: '/products/:productKey', access: 'products:read', tag: 'products',
    summary: 'One product', params: ProductParams, response: Product,
    handler: ({ params }) => products.get(params.productKey),
  });
  table.add({
    method: 'patch', path: '/products/:productKey', access: 'products:write', tag: 'products',
    summary: 'Change a product\'s name, description, dialect, sign-in settings (auth fields not given are kept), retention or future times',
    params: ProductParams, body: ProductPatch, response: Product,
    async handler({ params, body, principal }) {
      const product = await products.update(params.productKey, body);
      await auth.audit(principal.username, 'product.update', params.productKey, body);
      return product;
    },
  });
  table.add({
    method: 'delete', path: '/products/:productKey', access: 'products:write', tag: 'products',
    summary: 'Delete a product and its thing models; refused (409 product_has_devices) while it has devices',
    params: ProductParams,
    async handler({ params, principal }) {
      await products.delete(params.productKey);
      await auth.audit(principal.username, 'product.delete', params.productKey);
    },
  });
  table.add({
    method: 'post', path: '/products/:productKey/secret/reveal', access: 'devices:secret', tag: 'products',
    summary: 'Show the product secret (for dynamic registration); the reveal is audited',
    params: ProductParams, response: Type.Object({ productSecret: Type.String() }),
    async handler({ params, principal }) {
      const productSecret = await products.revealSecret(params.productKey);
      await auth.audit(principal.username, 'product.secret.reveal', params.productKey);
      return { productSecret };
    },
  });
}
