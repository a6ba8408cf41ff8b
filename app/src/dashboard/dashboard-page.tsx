import { Page } from '../ui/page.tsx';

export function DashboardPage() {
  return <Page title="Dashboard"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
