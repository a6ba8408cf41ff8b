/**
 * A small line of recent values (the last minute of messages per second): an SVG that stretches to its box, so it
 * has no fixed width; the stroke keeps its thickness however wide it is drawn.
 */
export function Sparkline({ values, label, className }: { values: readonly number[]; label: string; className?: string }) {
  const height = 40;
  const width = 100;
  // Headroom above the peak, so a steady rate is a line across the middle rather than along the top edge.
  const max = Math.max(1, ...values) * 1.25;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(2)},${(height - 2 - (Math.max(0, v) / max) * (height - 6)).toFixed(2)}`);
  const line = points.join(' ');
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      className={className}
    >
      <line x1="0" x2={width} y1={height - 1.5} y2={height - 1.5} className="stroke-slate-200" strokeWidth="1" vectorEffect="non-scaling-stroke" />
      {values.length > 1 && (
        <>
          <polygon points={`0,${height - 1.5} ${line} ${width},${height - 1.5}`} className="fill-sky-100" />
          <polyline points={line} fill="none" className="stroke-sky-600" strokeWidth="1.5" strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
        </>
      )}
    </svg>
  );
}
