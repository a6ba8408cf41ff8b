import { Page } from '../ui/page.tsx';

export function UserListPage() {
  return <Page title="Users"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
