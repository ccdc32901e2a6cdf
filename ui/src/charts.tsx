// Small SVG charts: enough to see a trend per day, no chart library.
import { useI18n } from './i18n.tsx';

export interface Series {
  label: string;
  color: string;
  values: number[];
}

const WIDTH = 560;
const HEIGHT = 200;
const PAD = { left: 58, right: 8, top: 10, bottom: 24 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function Axes({ days, max }: { days: string[]; max: number }) {
  const { day, number } = useI18n();
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const every = Math.max(1, Math.ceil(days.length / 7));
  return (
    <g className="axes">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH * (1 - f)} y2={PAD.top + plotH * (1 - f)} stroke="#e5e7eb" />
          <text x={PAD.left - 6} y={PAD.top + plotH * (1 - f) + 4} textAnchor="end">
            {number(max * f, 0)}
          </text>
        </g>
      ))}
      {days.map((d, i) =>
        i % every === 0 ? (
          <text key={d} x={PAD.left + ((i + 0.5) * (WIDTH - PAD.left - PAD.right)) / days.length} y={HEIGHT - 6} textAnchor="middle">
            {day(d)}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <div className="legend">
      {series.map((s) => (
        <span key={s.label}>
          <i style={{ background: s.color }} />
          {s.label}
        </span>
      ))}
    </div>
  );
}

export function LineChart({ days, series, title }: { days: string[]; series: Series[]; title: string }) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + ((i + 0.5) * plotW) / days.length;
  const y = (v: number) => PAD.top + plotH * (1 - v / max);
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img">
        <Axes days={days} max={max} />
        {series.map((s) => (
          <polyline key={s.label} fill="none" stroke={s.color} strokeWidth={2} points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
        ))}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function BarChart({ days, series, title, stacked = false }: { days: string[]; series: Series[]; title: string; stacked?: boolean }) {
  const totals = days.map((_, i) => (stacked ? series.reduce((sum, s) => sum + Math.max(0, s.values[i]), 0) : Math.max(0, ...series.map((s) => s.values[i]))));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / days.length;
  const barW = Math.max(1, (slot * 0.8) / (stacked ? 1 : series.length));
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img">
        <Axes days={days} max={max} />
        {days.map((d, i) => {
          let base = 0;
          return series.map((s, k) => {
            const value = Math.max(0, s.values[i]);
            const h = (plotH * value) / max;
            const left = PAD.left + i * slot + slot * 0.1 + (stacked ? 0 : k * barW);
            const top = PAD.top + plotH - h - (stacked ? (plotH * base) / max : 0);
            if (stacked) base += value;
            return (
              <rect key={`${d}-${s.label}`} x={left} y={top} width={barW} height={h} fill={s.color}>
                <title>{`${d} · ${s.label}: ${value}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function HorizontalBars({ title, items }: { title: string; items: { label: string; value: number; color: string }[] }) {
  const { number } = useI18n();
  const max = Math.max(1, ...items.map((item) => item.value));
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div className="hbars">
        {items.map((item) => (
          <div key={item.label} className="hbar">
            <span className="hbar-label">{item.label}</span>
            <span className="hbar-track">
              <span className="hbar-fill" style={{ width: `${(100 * item.value) / max}%`, background: item.color }} />
            </span>
            <span className="hbar-value">{number(item.value)}</span>
          </div>
        ))}
      </div>
    </figure>
  );
}
