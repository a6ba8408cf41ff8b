import { Page } from '../ui/page.tsx';

export function DeviceListPage() {
  return <Page title="Devices"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
