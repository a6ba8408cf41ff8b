import { Type } from '@sinclair/typebox';
import { DeviceParams } from '../../domain/devices/device-hub-schemas.ts';
import { pageOf } from '../../domain/page-schema.ts';
import { PRODUCT_KEY_PATTERN } from '../../domain/products/identity.ts';
import {
  Campaign, CampaignPage, CampaignPreview, CampaignState, CampaignTarget, DeviceOta, DeviceUpgrade, Firmware, FirmwarePage, FirmwarePatch,
  FirmwareUploadQuery, NewCampaign, UpgradeState,
} from '../../domain/ota/ota-schemas.ts';
import { MODULE_PATTERN } from '../../domain/ota/ota-version.ts';
import { deviceMustExist, type DeviceStore } from '../devices/device-store.ts';
import { ApiError } from '../errors.ts';
import type { RouteTable } from '../http/route-table.ts';
import type { OtaService } from './ota-service.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Page = { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) };

/** `/api/v1/firmware`, `/api/v1/ota/campaigns` and a device's OTA (docs/ota.md "API"); every change is audited by the service. */
export function registerOtaRoutes(table: RouteTable, ota: OtaService, devices: Pick<DeviceStore, 'exists'>): void {
  table.add({
    method: 'post', path: '/firmware', access: 'ota:write', tag: 'ota', status: 201,
    summary:
      'Upload a firmware image: the body is the image (Content-Type: application/octet-stream), streamed to disk while its ' +
      'SHA-256 and MD5 are computed; the metadata is in the query string',
    query: FirmwareUploadQuery, response: Firmware,
    errors: {
      409: 'firmware_exists: the product already has this version of the module',
      413: 'firmware_too_large: the image is larger than --firmware-max-mb',
      415: 'unsupported_media_type: the body is not application/octet-stream',
    },
    async handler({ query, req, principal }) {
      if (!req.is('application/octet-stream')) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the image itself as the body, with Content-Type: application/octet-stream.');
      }
      return ota.uploadFirmware(query, req, principal.username);
    },
  });
  table.add({
    method: 'get', path: '/firmware', access: 'ota:read', tag: 'ota', summary: 'Firmware images, by product and module, newest version first',
    query: Type.Object({
      productKey: Type.Optional(Type.String({ pattern: PRODUCT_KEY_PATTERN })), module: Type.Optional(Type.String({ pattern: MODULE_PATTERN })), ...Page,
    }),
    response: FirmwarePage,
    handler: ({ query }) => ota.listFirmware({ productKey: query.productKey, module: query.module }, { limit: query.limit, offset: query.offset }),
  });
  table.add({
    method: 'get', path: '/firmware/:id', access: 'ota:read', tag: 'ota', summary: 'One firmware image\'s record', params: IdParams, response: Firmware,
    handler: ({ params }) => ota.firmware(params.id),
  });
  table.add({
    method: 'patch', path: '/firmware/:id', access: 'ota:write', tag: 'ota',
    summary: 'Change release notes, source-version constraints or extData (the image and version never change: upload a new version)',
    params: IdParams, body: FirmwarePatch, response: Firmware,
    handler: ({ params, body, principal }) => ota.patchFirmware(params.id, body, principal.username),
  });
  table.add({
    method: 'delete', path: '/firmware/:id', access: 'ota:write', tag: 'ota', summary: 'Delete a firmware image no campaign has used',
    params: IdParams, errors: { 409: 'firmware_in_use: a campaign, running or in the history, names it' },
    async handler({ params, principal }) {
      await ota.deleteFirmware(params.id, principal.username);
    },
  });

  table.add({
    method: 'post', path: '/ota/campaigns/preview', access: 'ota:read', tag: 'ota',
    summary: 'How many devices a campaign would upgrade, the default wave sizes, and why the other targeted devices would not be',
    body: Type.Object({ firmwareId: Type.Integer({ minimum: 1 }), target: CampaignTarget }, { additionalProperties: false }),
    response: CampaignPreview,
    handler: ({ body }) => ota.preview(body.firmwareId, body.target),
  });
  table.add({
    method: 'post', path: '/ota/campaigns', access: 'ota:write', tag: 'ota', status: 201,
    summary: 'Create a campaign: it starts at once (or at strategy.startAt) and notifies devices wave by wave',
    body: NewCampaign, response: Campaign,
    errors: { 409: 'no_devices: no targeted device would be upgraded (the message says why, by reason)' },
    handler: ({ body, principal }) => ota.createCampaign(body, principal.username),
  });
  table.add({
    method: 'get', path: '/ota/campaigns', access: 'ota:read', tag: 'ota', summary: 'Campaigns, newest first, with their counts by device state',
    query: Type.Object({ productKey: Type.Optional(Type.String({ pattern: PRODUCT_KEY_PATTERN })), state: Type.Optional(CampaignState), ...Page }),
    response: CampaignPage,
    handler: ({ query }) => ota.listCampaigns({ productKey: query.productKey, state: query.state }, { limit: query.limit, offset: query.offset }),
  });
  table.add({
    method: 'get', path: '/ota/campaigns/:id', access: 'ota:read', tag: 'ota', summary: 'One campaign with its counts by device state',
    params: IdParams, response: Campaign, handler: ({ params }) => ota.campaign(params.id),
  });
  table.add({
    method: 'get', path: '/ota/campaigns/:id/devices', access: 'ota:read', tag: 'ota', summary: 'A campaign\'s device upgrades in rollout order',
    params: IdParams, query: Type.Object({ state: Type.Optional(UpgradeState), ...Page }), response: pageOf(DeviceUpgrade),
    handler: ({ params, query }) => ota.campaignDevices(params.id, query.state, { limit: query.limit, offset: query.offset }),
  });
  const conflicts = { 409: 'the campaign is not in a state this action applies to (the message says which it is)' };
  table.add({
    method: 'post', path: '/ota/campaigns/:id/pause', access: 'ota:write', tag: 'ota', errors: conflicts,
    summary: 'Pause: nobody new is notified; devices already upgrading carry on', params: IdParams, response: Campaign,
    handler: ({ params, principal }) => ota.pause(params.id, principal.username),
  });
  table.add({
    method: 'post', path: '/ota/campaigns/:id/resume', access: 'ota:write', tag: 'ota', errors: conflicts,
    summary: 'Resume a paused or stopped campaign; retryFailed queues the failed and timed-out devices of the waves reached again',
    params: IdParams, body: Type.Object({ retryFailed: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: Campaign,
    handler: ({ params, body, principal }) => ota.resume(params.id, { retryFailed: body?.retryFailed }, principal.username),
  });
  table.add({
    method: 'post', path: '/ota/campaigns/:id/cancel', access: 'ota:write', tag: 'ota', errors: conflicts,
    summary: 'Cancel: every unfinished device upgrade ends cancelled, and devices already told are told to stop', params: IdParams, response: Campaign,
    handler: ({ params, principal }) => ota.cancel(params.id, principal.username),
  });

  table.add({
    method: 'get', path: '/devices/:productKey/:deviceName/ota', access: 'ota:read', tag: 'ota',
    summary: 'The device\'s firmware version per module and its upgrades, newest first', params: DeviceParams, response: DeviceOta,
    async handler({ params }) {
      await deviceMustExist(devices, params);
      return ota.deviceOta(params.productKey, params.deviceName);
    },
  });
  table.add({
    method: 'post', path: '/devices/:productKey/:deviceName/ota/upgrade', access: 'ota:write', tag: 'ota', status: 201,
    summary: 'Upgrade this one device to a firmware (a campaign of one device, with a campaign\'s rules)',
    params: DeviceParams, body: Type.Object({ firmwareId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), response: Campaign,
    errors: { 409: 'not_upgradable: the device already runs it or a newer version, has not reported a version, is being upgraded, or is outside the firmware\'s constraints' },
    async handler({ params, body, principal }) {
      await deviceMustExist(devices, params);
      return ota.upgradeDevice({ ...params, firmwareId: body.firmwareId }, principal.username);
    },
  });
}
