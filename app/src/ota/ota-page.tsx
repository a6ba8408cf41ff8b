/**
 * `/ota/firmware` and `/ota/campaigns`: the firmware images and the campaigns that roll them out, as two tabs of one
 * section (docs/ota.md "Screens"). Each tab is its own URL, so the navigation, links and back/forward land on it.
 */
import { useState } from 'react';
import { Link, navigate } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { Page } from '../ui/page.tsx';
import { Tabs } from '../ui/tabs.tsx';
import { CampaignList } from './campaign-list.tsx';
import { PRIMARY_LINK } from './ota-badges.tsx';
import { FirmwareList } from './firmware-list.tsx';
import { CAMPAIGNS_HREF, FIRMWARE_HREF, newCampaignHref } from './ota-api.ts';
import { t } from './ota.messages.ts';

export function OtaPage({ tab }: { tab: 'firmware' | 'campaigns' }) {
  const canWrite = useCan('ota:write');
  const [uploading, setUploading] = useState(false);
  const actions = canWrite && (tab === 'firmware'
    ? <Button variant="primary" onClick={() => setUploading(true)}><i aria-hidden className="fa fa-upload" /> {t('label.uploadFirmware')}</Button>
    : <Link to={newCampaignHref()} className={PRIMARY_LINK}><i aria-hidden className="fa fa-plus" /> {t('label.newCampaign')}</Link>);
  return (
    <Page
      title={t('page.title')}
      subtitle={t('page.subtitle')}
      actions={actions}
    >
      <Tabs
        label={t('page.title')}
        value={tab}
        onValueChange={(next) => navigate(next === 'campaigns' ? CAMPAIGNS_HREF : FIRMWARE_HREF)}
        tabs={[
          { value: 'firmware', label: t('label.firmware'), content: tab === 'firmware' && <FirmwareList uploading={uploading} onUploading={setUploading} /> },
          { value: 'campaigns', label: t('label.campaigns'), content: tab === 'campaigns' && <CampaignList /> },
        ]}
      />
    </Page>
  );
}
