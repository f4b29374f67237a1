/** '3600', '30s', '15m', '12h', '7d' → seconds; throws MIDGE_BAD_DURATION otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new Error(`MIDGE_BAD_DURATION: '${text}' is not a duration such as 3600, 30m, 12h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
