// Small statistics over repetitions and samples, and the number formats the report uses.

/** The middle value (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Half the range as a fraction of the median: "±3%" means every repetition fell within 3%. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / 2 / Math.abs(m);
}

/** Nearest-rank percentile (0 < q <= 1) of an ascending array. */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Three significant digits without exponent notation: 1080 -> "1080", 45.67 -> "45.7". */
function significant(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** 1234567 -> "1.23M", 45678 -> "45.7k". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${significant(value / 1e6)}M`;
  if (abs >= 1e3) return `${significant(value / 1e3)}k`;
  return significant(value);
}

/** Microseconds in the unit that reads best: "87.0 us", "1.24 ms", "1080 ms". */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  if (Math.abs(us) >= 1000) return `${significant(us / 1000)} ms`;
  return `${significant(us)} us`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(2)} KiB`;
  return `${Math.round(bytes)} B`;
}

export function formatSpread(values: readonly number[]): string {
  return values.length < 2 ? '' : ` ±${(spread(values) * 100).toFixed(0)}%`;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}
