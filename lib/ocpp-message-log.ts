/**
 * The OCPP message log's wire format between the bridge (which sees every frame) and the station
 * subgraph (which stores them): the bridge appends each frame to an in-memory batch and pushes one
 * Redis list entry per batch; the station subgraph pops batches and inserts them in bulk. Nothing on a
 * charger's message path waits for Redis or the database.
 *
 * A record is `identity \t i|o \t epochMs \t length \t frame` with the frame's length in UTF-16 code
 * units, so frames are stored as sent (no escaping, no scanning for separators).
 */
export const messageLogKey = (prefix: string) => `${prefix}:ocpp:message-log`;

export interface LoggedFrame {
  identity: string;
  outbound: boolean;
  at: number;
  frame: string;
}

export function encodeFrame(identity: string, outbound: boolean, at: number, frame: string): string {
  return `${identity}\t${outbound ? 'o' : 'i'}\t${at}\t${frame.length}\t${frame}`;
}

/** The records of one batch; a malformed tail (cannot happen from the bridge) ends the batch. */
export function decodeBatch(batch: string): LoggedFrame[] {
  const out: LoggedFrame[] = [];
  let i = 0;
  while (i < batch.length) {
    const fields: string[] = [];
    for (let f = 0; f < 4; f++) {
      const tab = batch.indexOf('\t', i);
      if (tab < 0) return out;
      fields.push(batch.slice(i, tab));
      i = tab + 1;
    }
    const [identity, direction, at, length] = fields as [string, string, string, string];
    const n = Number(length);
    if (!Number.isInteger(n) || n < 0 || i + n > batch.length) return out;
    out.push({ identity, outbound: direction === 'o', at: Number(at), frame: batch.slice(i, i + n) });
    i += n;
  }
  return out;
}

export type MessageType = 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'INVALID';

/** What a stored frame says of itself: its type, message id and (CALL) action. */
export function describeFrame(frame: string): {
  type: MessageType;
  messageId: string | null;
  action: string | null;
} {
  try {
    const m = JSON.parse(frame) as unknown;
    if (Array.isArray(m) && typeof m[1] === 'string') {
      const type = m[0] === 2 ? 'CALL' : m[0] === 3 ? 'CALLRESULT' : m[0] === 4 ? 'CALLERROR' : 'INVALID';
      return { type, messageId: m[1], action: type === 'CALL' && typeof m[2] === 'string' ? m[2] : null };
    }
  } catch {
    // a frame that is not JSON is kept as it came, typed INVALID
  }
  return { type: 'INVALID', messageId: null, action: null };
}
