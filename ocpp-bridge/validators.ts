import { createRequire } from 'node:module';
import { createRPCError } from 'ocpp-rpc';

interface Validator {
  subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
  _ajv: { getSchema(id: string): unknown };
}

const require = createRequire(import.meta.url);
const standard = require('ocpp-rpc/lib/standard-validators.js') as Validator[];

/**
 * ocpp-rpc's strict mode answers a call whose action has no schema with ProtocolError. OCPP-J (1.6
 * §4.2.3, 2.0.1 §4.3) says: "NotImplemented — Requested Action is not known by receiver". These
 * validators answer that, and otherwise validate exactly as the standard ones do.
 */
export function actionAwareValidators(subprotocols: string[]) {
  return standard
    .filter((v) => subprotocols.includes(v.subprotocol))
    .map((inner) => ({
      subprotocol: inner.subprotocol,
      validate(schemaId: string, params: unknown) {
        if (schemaId.endsWith('.req') && !inner._ajv.getSchema(schemaId)) {
          throw createRPCError('NotImplemented', `${schemaId.slice(4, -4)} is not a known action`);
        }
        return inner.validate(schemaId, params);
      },
    }));
}
