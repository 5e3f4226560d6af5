/** Durations written as a whole number and a unit: `500ms`, `90s`, `15m`, `2h`, `1d`. */

const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string, units: readonly (keyof typeof UNITS_MS)[] = ['ms', 's', 'm', 'h', 'd']): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!match || !units.includes(match[2] as keyof typeof UNITS_MS)) return undefined;
  return Number(match[1]) * UNITS_MS[match[2] as keyof typeof UNITS_MS];
}
