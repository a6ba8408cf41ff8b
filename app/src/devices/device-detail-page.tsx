import { Page } from '../ui/page.tsx';

export function DeviceDetailPage({ productKey, deviceName }: { productKey: string; deviceName: string }) {
  return <Page title="Device"><p className="text-sm text-slate-600">Being built.</p></Page>;
}
