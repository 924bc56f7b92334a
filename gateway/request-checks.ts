import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, visit, type DocumentNode } from 'graphql';
import { AppError, ErrorCode } from '../lib/errors.js';

const badRequest = (message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { http: { status: 400 } });

/** The first number literal in the document that is not a finite number (`1e999` parses as Infinity). */
function nonFiniteLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    FloatValue(node) {
      if (!Number.isFinite(Number(node.value))) {
        found = node.value;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Client mistakes that the gateway would otherwise answer with INTERNAL_SERVER_ERROR (they surface in
 * the query planner), refused as BAD_USER_INPUT once the operation is known and before it is planned:
 * a document with several operations and no or an unknown `operationName`, and a float literal out of
 * range (GraphQL's Float accepts `1e999` as Infinity; variables are checked by GraphQL itself).
 */
export function requestChecks(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          if (!operation) {
            throw badRequest(
              request.operationName
                ? `The document has no operation named ${JSON.stringify(request.operationName)}`
                : 'The document has several operations: name the one to run in operationName',
            );
          }
          const bad = nonFiniteLiteral(document);
          if (bad) throw badRequest(`${bad} is not a finite number`);
        },
      };
    },
  };
}
