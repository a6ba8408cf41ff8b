import { Page } from '../ui/page.tsx';

export function ProductListPage() {
  return <Page title="Products"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
