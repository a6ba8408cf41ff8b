/**
 * What the OTA screens read and send (docs/ota.md "API"), typed by the shapes the server validates and answers with
 * (`domain/ota/ota-schemas.ts`).
 */
import type { Static } from '@sinclair/typebox';
import type {
  Campaign, CampaignPage as CampaignPageSchema, CampaignPreview, CampaignTarget, DeviceUpgradePage as DeviceUpgradePageSchema, Firmware,
  FirmwarePage as FirmwarePageSchema, FirmwarePatch, FirmwareUploadQuery, NewCampaign,
} from '../../../domain/ota/ota-schemas.ts';
import { apiRequest, apiUpload, type Upload, type UploadProgress } from '../api.ts';
import { queryString } from '../use-api.ts';

export type {
  Campaign, CampaignPreview, CampaignState, CampaignStrategy, CampaignTarget, DeviceOta, DeviceUpgrade, Firmware,
  FirmwarePatch, FirmwareUploadQuery, ModuleVersion, NewCampaign, OtaEvent, StateCounts, UpgradeState,
} from '../../../domain/ota/ota-schemas.ts';
// (The schemas file declares the pages as schemas only.)
export type FirmwarePage = Static<typeof FirmwarePageSchema>;
export type CampaignPage = Static<typeof CampaignPageSchema>;
export type DeviceUpgradePage = Static<typeof DeviceUpgradePageSchema>;
export { FINAL_UPGRADE_STATES, UPGRADE_STATES } from '../../../domain/ota/ota-schemas.ts';

export const firmwarePath = (id: number): string => `/firmware/${id}`;
export const campaignPath = (id: number | string): string => `/ota/campaigns/${id}`;
/** `/api/v1/devices/{pk}/{dn}/ota` with both parts encoded. */
export const deviceOtaPath = (productKey: string, deviceName: string): string =>
  `/devices/${encodeURIComponent(productKey)}/${encodeURIComponent(deviceName)}/ota`;

/** The app's own pages. */
export const FIRMWARE_HREF = '/ota/firmware';
export const CAMPAIGNS_HREF = '/ota/campaigns';
export const campaignHref = (id: number): string => `/ota/campaigns/${id}`;
/** The wizard, with a firmware chosen already (from a firmware row's "Roll out"). */
export const newCampaignHref = (firmwareId?: number): string => `/ota/campaigns/new${queryString({ firmwareId })}`;

/** `POST /firmware?…` with the image as the body; `onProgress` follows the bytes sent. */
export function uploadFirmware(query: FirmwareUploadQuery, file: Blob, onProgress: (progress: UploadProgress) => void): Upload<Firmware> {
  return apiUpload<Firmware>(`/firmware${queryString({ ...query })}`, file, onProgress);
}

/** `PATCH /firmware/{id}`: notes, constraint or extData (the image and version never change); answers the firmware. */
export const patchFirmware = (id: number, patch: FirmwarePatch): Promise<Firmware> => apiRequest('PATCH', firmwarePath(id), patch);

export const deleteFirmware = (id: number): Promise<void> => apiRequest('DELETE', firmwarePath(id));

export const previewCampaign = (firmwareId: number, target: CampaignTarget): Promise<CampaignPreview> =>
  apiRequest('POST', '/ota/campaigns/preview', { firmwareId, target });

export const createCampaign = (campaign: NewCampaign): Promise<Campaign> => apiRequest('POST', '/ota/campaigns', campaign);

export const pauseCampaign = (id: number): Promise<Campaign> => apiRequest('POST', `${campaignPath(id)}/pause`);
export const resumeCampaign = (id: number, retryFailed: boolean): Promise<Campaign> =>
  apiRequest('POST', `${campaignPath(id)}/resume`, retryFailed ? { retryFailed: true } : {});
export const cancelCampaign = (id: number): Promise<Campaign> => apiRequest('POST', `${campaignPath(id)}/cancel`);

export const upgradeDevice = (productKey: string, deviceName: string, firmwareId: number): Promise<Campaign> =>
  apiRequest('POST', `${deviceOtaPath(productKey, deviceName)}/upgrade`, { firmwareId });
