/**
 * What the device list and the create dialogs read and send, typed by the schemas the server answers with
 * (`domain/devices/device-schemas.ts`, `domain/products/product-schemas.ts`).
 */
import type { CreatedDevice, Device } from '../../../domain/devices/device-schemas.ts';
import type { Product } from '../../../domain/products/product-schemas.ts';
import { apiRequest } from '../api.ts';
import { t } from './devices.messages.ts';

export type { CreatedDevice, DevicePage, DeviceStatus } from '../../../domain/devices/device-schemas.ts';

/** A device as `GET /devices` lists it (no secret). */
export type ListedDevice = Device;

/** The fields of a product the device screens need. */
export type ProductSummary = Pick<Product, 'productKey' | 'name' | 'deviceCount'>;

/** One problem of one row of a bulk upload (`details` of the 422 `invalid_devices`). */
export interface RowProblem {
  /** For CSV: the line of the file the row ends on; the header is line 1. */
  row: number;
  /** The column or field (`tags.room`); empty for the whole row. */
  field: string;
  message: string;
}

/** The field problems of a 422 `validation_failed` (`[{path: '/deviceName', message}]`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The identity patterns the API checks, said in words (ajv's own message quotes the regular expression). */
const PATTERN_WORDS: Record<string, 'pattern.deviceName' | 'pattern.productKey'> = {
  deviceName: 'pattern.deviceName',
  productKey: 'pattern.productKey',
};

/** An API problem on `field` as a person reads it: pattern failures of names in words, the rest as answered. */
export function problemText(field: string, message: string): string {
  const words = PATTERN_WORDS[field];
  return words && message.startsWith('must match pattern') ? t(words) : message;
}

/** The CSV columns `POST /devices/bulk` reads, in the order the template uses. */
export const CSV_COLUMNS = ['productKey', 'deviceName', 'description', 'tags'] as const;

/** The most devices one upload may create (`MAX_BULK_DEVICES` on the server). */
export const MAX_BULK_DEVICES = 10_000;

/**
 * `POST /api/v1/devices/bulk` with a CSV body (`Content-Type: text/csv`), so row numbers in the answer are the
 * lines of the user's file.
 */
export function postDevicesCsv(csv: string): Promise<{ items: CreatedDevice[] }> {
  return apiRequest('POST', '/devices/bulk', { raw: csv, contentType: 'text/csv' });
}
