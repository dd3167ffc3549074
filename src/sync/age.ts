/** Ages for humans (reference §9.3): `2s`, `3m 12s`, `2h 5m`, `1d 4h`, `3d`. */
export function humanizeSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small > 0 ? `${big}${bigUnit} ${small}${smallUnit}` : `${big}${bigUnit}`;
  if (s >= 86_400) return two(Math.floor(s / 86_400), "d", Math.floor((s % 86_400) / 3600), "h");
  if (s >= 3600) return two(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "m");
  if (s >= 60) return two(Math.floor(s / 60), "m", s % 60, "s");
  return `${s}s`;
}
