/** The latest value of one property, and the same as a gauge between its spec's min and max. */
import { formatValue } from '../../devices/device-detail-format.ts';
import { cx } from '../../ui/cx.ts';
import { formatClock } from '../../ui/time-format.ts';
import type { Widget } from '../dashboard-api.ts';
import { useDashboardLive } from '../dashboard-live.tsx';
import { t } from '../dashboard.messages.ts';
import { isNumeric, propertyOf, rangeOf, unitOf, type Models } from './widget-model.ts';

function useSeriesValue(widget: Widget, models: Models) {
  const live = useDashboardLive();
  const s = widget.series![0]!;
  const property = propertyOf(models, s);
  const at = live.value(s.productKey, s.deviceName, s.property);
  return { s, property, at };
}

/** When the value was measured; with a title of its own, also what it is (the default title says that already). */
function Caption({ widget, name, device, time }: { widget: Widget; name: string; device: string; time: number | undefined }) {
  return (
    <p className="truncate text-xs text-slate-500">
      {widget.title && <>{name} · <span className="font-mono">{device}</span> · </>}
      {time === undefined ? t('widget.noValue') : t('widget.at', { time: formatClock(time) })}
    </p>
  );
}

/** Smaller type for longer values, so "heating (1)" fits a narrow widget. */
const valueSize = (text: string) => (text.length <= 7 ? 'text-3xl' : text.length <= 11 ? 'text-2xl' : 'text-xl');

export function ValueWidget({ widget, models }: { widget: Widget; models: Models }) {
  const { s, property, at } = useSeriesValue(widget, models);
  const text = at ? formatValue(at.value, property?.dataType) : '—';
  return (
    <div className="flex h-full min-w-0 flex-col justify-center" data-live-value={`${s.deviceName}/${s.property}`}>
      <p className={cx('truncate font-semibold tabular-nums', at ? 'text-slate-900' : 'text-slate-400', valueSize(text))} title={text} data-value>
        {text}
      </p>
      <Caption widget={widget} name={property?.name ?? s.property} device={s.deviceName} time={at?.time} />
    </div>
  );
}

const R = 40;
/** The arc's centre (its ends are on this line). */
const CY = 47;
const ARC = Math.PI * R;

/** A half-circle gauge; the arc fills from the spec's min to its max. */
export function GaugeWidget({ widget, models, height }: { widget: Widget; models: Models; height: number }) {
  const { s, property, at } = useSeriesValue(widget, models);
  const [min, max] = rangeOf(property?.dataType);
  const n = typeof at?.value === 'number' ? at.value : Number(at?.value);
  const known = at !== undefined && Number.isFinite(n) && (property === undefined || isNumeric(property.dataType));
  const share = known ? Math.min(1, Math.max(0, (n - min) / (max - min))) : 0;
  const unit = unitOf(property?.dataType);
  // Theme classes, not colours: the dark palette turns them over with the rest of the page.
  const tone = share > 0.9 ? 'stroke-red-600' : share > 0.75 ? 'stroke-amber-600' : 'stroke-sky-700';
  return (
    <div className="flex h-full min-h-0 flex-col items-center justify-center" data-live-value={`${s.deviceName}/${s.property}`}>
      <svg viewBox="0 0 100 58" className="w-full max-w-[16rem]" style={{ height: Math.max(40, height - 20) }} role="img" aria-label={t('gauge.label', { name: property?.name ?? s.property, value: known ? formatValue(n, property?.dataType) : '—', min, max })}>
        <path d={`M ${50 - R} ${CY} A ${R} ${R} 0 0 1 ${50 + R} ${CY}`} fill="none" className="stroke-slate-200" strokeWidth="9" strokeLinecap="round" />
        {known && (
          <path d={`M ${50 - R} ${CY} A ${R} ${R} 0 0 1 ${50 + R} ${CY}`} fill="none" className={tone} strokeWidth="9" strokeLinecap="round"
            strokeDasharray={`${(share * ARC).toFixed(2)} ${ARC.toFixed(2)}`} />
        )}
        <text x="50" y="41" textAnchor="middle" className="fill-slate-900 text-[13px] font-semibold tabular-nums" data-value>
          {known ? formatValue(n, property?.dataType, '') : '—'}
        </text>
        {unit && <text x="50" y="50" textAnchor="middle" className="fill-slate-500 text-[6px]">{unit}</text>}
        <text x={50 - R} y="57" textAnchor="middle" className="fill-slate-400 text-[5.5px]">{min}</text>
        <text x={50 + R} y="57" textAnchor="middle" className="fill-slate-400 text-[5.5px]">{max}</text>
      </svg>
      <Caption widget={widget} name={property?.name ?? s.property} device={s.deviceName} time={at?.time} />
    </div>
  );
}
