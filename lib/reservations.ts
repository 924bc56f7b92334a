/**
 * Reservations the OCPP bridges honour, kept in Redis by the station subgraph (which owns them): one
 * hash per charger, EVSE id → the ACTIVE reservation. A bridge reads it when a transaction starts on
 * that EVSE: the reserving driver's start uses it, anyone else's is refused.
 */
export const reservationsKey = (prefix: string, identity: string) =>
  `${prefix}:ocpp:reservations:${identity}`;

export interface ReservationHold {
  /** The platform's reservation id. */
  id: string;
  /** The OCPP reservation id. */
  ocppId: number;
  idToken: string;
  userId: string;
  expiresAt: string;
}

/** Whether a start by this token (and its owner) may use the EVSE held by `hold` at `now`. */
export function holdAllows(
  hold: ReservationHold | null,
  idToken: string | null,
  userId: string | null,
  now = new Date(),
): 'free' | 'reserved-for-them' | 'reserved-for-another' {
  if (!hold || new Date(hold.expiresAt) <= now) return 'free';
  const token = idToken?.trim().toUpperCase();
  if ((token && token === hold.idToken) || (userId && userId === hold.userId)) return 'reserved-for-them';
  return 'reserved-for-another';
}
