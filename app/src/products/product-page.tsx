import { Page } from '../ui/page.tsx';

export function ProductPage({ productKey }: { productKey: string }) {
  return <Page title="Product"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
