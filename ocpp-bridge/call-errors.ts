import type { OcppProtocol } from '../lib/queues.js';

/**
 * OCPP-J 1.6 §4.2.3 table 7, the only error codes a 1.6 CALLERROR may carry. Two are misspelt there
 * and stay so (1.6 errata v1.0 §5.1 and §5.2, "known issues that will not be fixed"):
 * `OccurenceConstraintViolation` and `FormationViolation`.
 */
const OCPP16_CODES = new Set([
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
]);

/**
 * ocpp-rpc speaks OCPP-J 2.0.1's codes: a 1.6 charger gets the 1.6 one with the same meaning.
 * `RpcFrameworkError` (a frame that is not JSON, not an array, without a string message id, or a
 * message id already in use) and `MessageTypeNotSupported` (a message type other than 2, 3, 4) are
 * frames that do not have the PDU's structure: `FormationViolation`. A code with no counterpart is
 * `GenericError`.
 */
const OCPP16_FOR: Record<string, string> = {
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'FormationViolation',
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
};

export function callErrorCodeFor(protocol: OcppProtocol, code: string): string {
  if (protocol !== 'OCPP16' || OCPP16_CODES.has(code)) return code;
  return OCPP16_FOR[code] ?? 'GenericError';
}

const CALLRESULT = 3;
const CALLERROR = 4;

/**
 * Wraps a connection's frame sender (ocpp-rpc's `sendRaw`, which every reply goes through):
 * - a CALLERROR carries the code of the connection's protocol (`callErrorCodeFor`);
 * - a CALLERROR for a message id whose first call is still being handled (ocpp-rpc refuses the
 *   duplicate at once) is held until that first call's reply has gone out, so the charger reads the
 *   first call's outcome under that id first, never the duplicate's error.
 * `inFlight` says whether a call with that message id is being handled now.
 */
export function replyOrdering(
  protocol: OcppProtocol,
  send: (frame: string) => void,
  inFlight: (messageId: string) => boolean,
) {
  const held = new Map<string, string[]>();
  return (frame: string) => {
    // Frames are `[<type>,…`: a CALL the bridge sends passes as it is, and so does a CALLRESULT unless
    // an error waits for it (the hot path: a heartbeat's answer is not parsed).
    const type = frame.charCodeAt(1) - 48;
    if (type !== CALLERROR && (type !== CALLRESULT || held.size === 0)) return send(frame);
    const message = JSON.parse(frame) as [number, string, ...unknown[]];
    const id = message[1];
    if (type === CALLERROR) {
      const code = String(message[2]);
      const mapped = callErrorCodeFor(protocol, code);
      if (mapped !== code) {
        message[2] = mapped;
        frame = JSON.stringify(message);
      }
      if (inFlight(id)) {
        held.set(id, [...(held.get(id) ?? []), frame]);
        return;
      }
    }
    send(frame);
    const later = held.get(id);
    if (later) {
      held.delete(id);
      for (const f of later) send(f);
    }
  };
}
