import { createRequire } from 'node:module';
import { createRPCError } from 'ocpp-rpc';

interface Validator {
  subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
  _ajv: { getSchema(id: string): unknown };
}

const require = createRequire(import.meta.url);
const standard = require('ocpp-rpc/lib/standard-validators.js') as Validator[];

type Compiled = (params: unknown) => boolean;

/**
 * ocpp-rpc's strict mode answers a call whose action has no schema with ProtocolError. OCPP-J (1.6
 * §4.2.3, 2.0.1 §4.3) says: "NotImplemented — Requested Action is not known by receiver". These
 * validators answer that, and otherwise validate exactly as the standard ones do: a valid message
 * goes through the schema's compiled validator, looked up once per schema (Ajv's `getSchema`
 * resolves the id afresh on every call, twice per message in the standard validator), and an
 * invalid one through the standard validator, which builds the OCPP error.
 */
export function actionAwareValidators(subprotocols: string[]) {
  return standard
    .filter((v) => subprotocols.includes(v.subprotocol))
    .map((inner) => {
      // Only schemas that exist are remembered: unknown ids come from chargers and are unbounded.
      const compiled = new Map<string, Compiled>();
      const lookup = (schemaId: string) => {
        let v = compiled.get(schemaId);
        if (!v) {
          v = inner._ajv.getSchema(schemaId) as Compiled | undefined;
          if (v) compiled.set(schemaId, v);
        }
        return v;
      };
      return {
        subprotocol: inner.subprotocol,
        validate(schemaId: string, params: unknown) {
          const v = lookup(schemaId);
          if (!v && schemaId.endsWith('.req')) {
            throw createRPCError('NotImplemented', `${schemaId.slice(4, -4)} is not a known action`);
          }
          return v?.(params) || inner.validate(schemaId, params);
        },
      };
    });
}
