import { Page } from '../ui/page.tsx';

export function AccountPage() {
  return <Page title="My account"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
