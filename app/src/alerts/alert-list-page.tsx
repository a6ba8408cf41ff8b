import { Page } from '../ui/page.tsx';

export function AlertListPage() {
  return <Page title="Alerts"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
