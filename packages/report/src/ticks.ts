/** Axis ticks at round values (1, 2, 5 × 10^n) and their labels with units, for the static SVG timelines. */

/** Ticks in [min, max] at a 1-2-5 step giving at most `maxCount` intervals; always at least the two ends' tick. */
export function niceTicks(min: number, max: number, maxCount: number): { step: number; ticks: number[] } {
  const span = max > min ? max - min : 1;
  const raw = span / Math.max(1, maxCount);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return { step, ticks };
}

/** Smallest round value ≥ v (1, 2, 5 × 10^n): the top of a y axis. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= v * (1 - 1e-12)) ?? 10 * mag) || 1;
}

const decimals = (step: number): number => Math.max(0, Math.min(9, -Math.floor(Math.log10(step) + 1e-9)));

/** A time tick (seconds since the first event) in the unit its step calls for: s, ms or µs. */
export function timeLabel(s: number, step: number): string {
  if (step >= 0.5) return `${s.toFixed(decimals(step))} s`;
  if (step >= 5e-4) return `${(s * 1e3).toFixed(decimals(step * 1e3))} ms`;
  return `${(s * 1e6).toFixed(decimals(step * 1e6))} µs`;
}
