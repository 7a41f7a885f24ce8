// Small helpers shared by the benchmarks: percentiles, medians, timing and plain-text tables.

/** The q-quantile (0..1) of `values` by nearest rank. */
export function quantile(values, q) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function median(values) {
  return quantile(values, 0.5);
}

/** (max - min) / median, as a fraction: how far repeated runs of one variant lay apart. */
export function spread(values) {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = () => performance.now();

export function fmtInt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

export function fmtMs(n) {
  if (!Number.isFinite(n)) return '-';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function fmtPct(f) {
  return Number.isFinite(f) ? `${(f * 100).toFixed(1)}%` : '-';
}

/**
 * Renders rows (arrays of cells) under `headers` as an aligned table. `align` has one 'l' or 'r'
 * per column (default: first column left, the others right).
 */
export function table(headers, rows, align) {
  const cols = headers.length;
  align ??= headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const width = Array.from({ length: cols }, (_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => (align[i] === 'l' ? c.padEnd(width[i]) : c.padStart(width[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
