import { Page } from '../ui/page.tsx';

export function AlertPage({ id }: { id: string }) {
  return <Page title="Alert"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
