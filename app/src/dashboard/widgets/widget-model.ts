/** What widgets need of a product's thing model: a property's name, type, unit and range. */
import type { TslDataType, TslDocument, TslProperty } from '../../../../domain/thing-model/tsl-types.ts';
import type { WidgetSeries } from '../dashboard-api.ts';

export type Models = ReadonlyMap<string, TslDocument | null>;

export function propertyOf(models: Models, s: WidgetSeries): TslProperty | undefined {
  return models.get(s.productKey)?.properties?.find((p) => p.identifier === s.property);
}

export const isNumeric = (dataType: TslDataType | undefined) => dataType?.type === 'int' || dataType?.type === 'float' || dataType?.type === 'double';

export function unitOf(dataType: TslDataType | undefined): string | undefined {
  return dataType && 'specs' in dataType && dataType.specs && 'unit' in dataType.specs ? (dataType.specs.unit as string | undefined) || undefined : undefined;
}

/** A numeric property's range from its spec; `[0, 100]` where the spec leaves it open. */
export function rangeOf(dataType: TslDataType | undefined): [number, number] {
  const specs = dataType && 'specs' in dataType ? (dataType.specs as { min?: string; max?: string } | undefined) : undefined;
  const min = Number(specs?.min);
  const max = Number(specs?.max);
  const lo = Number.isFinite(min) && specs?.min !== undefined && specs.min !== '' ? min : 0;
  const hi = Number.isFinite(max) && specs?.max !== undefined && specs.max !== '' && max > lo ? max : lo + 100;
  return [lo, hi];
}

/** A series' label: the property's name (or identifier) on its device. */
export function seriesLabel(models: Models, s: WidgetSeries): string {
  return `${propertyOf(models, s)?.name ?? s.property} · ${s.deviceName}`;
}

/** Distinct colours for a chart's series, readable on white. */
export const SERIES_COLOURS = ['#0369a1', '#d97706', '#059669', '#7c3aed', '#dc2626', '#0891b2', '#65a30d', '#db2777'];
