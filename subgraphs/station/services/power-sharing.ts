/**
 * Shares a station's power limit among its EVSEs (pure; services/smart-charging.service.ts sends it).
 *
 * The EVSEs in use (a vehicle charging or connected) share the limit by water-filling: each gets an
 * equal share, an EVSE whose own maximum is below it keeps its maximum, and what it leaves is shared
 * among the others again. An idle EVSE is given what it would get if it were the next to start (the
 * limit over in-use + 1, at most its maximum), so a session starting before the next sharing draws
 * little more than its share; the sharing that its start causes then brings everyone back within the
 * limit. Limits are in whole W, rounded down: the in-use EVSEs' sum never exceeds the limit.
 */
export interface EvseLoad {
  key: string;
  maxW: number;
  inUse: boolean;
}

export function sharePower(limitW: number, evses: EvseLoad[]): Map<string, number> {
  const out = new Map<string, number>();
  const active = evses.filter((e) => e.inUse).sort((a, b) => a.maxW - b.maxW);
  let left = limitW;
  for (let i = 0; i < active.length; i++) {
    const e = active[i]!;
    const fair = Math.floor(left / (active.length - i));
    const share = Math.min(Math.floor(e.maxW), fair);
    out.set(e.key, share);
    left -= share;
  }
  const idleShare = Math.floor(limitW / (active.length + 1));
  for (const e of evses) if (!e.inUse) out.set(e.key, Math.min(Math.floor(e.maxW), idleShare));
  return out;
}
