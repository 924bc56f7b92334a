import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { badInput, notFound } from './errors.js';

/** A canonical UUID (every entity id is one). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string) => UUID.test(id);

/** `id` when it can name an entity; else NOT_FOUND for `what` (never a database error for a bad id). */
export function entityId(id: string, what: string): string {
  if (!isUuid(id)) throw notFound(what, id);
  return id;
}

/** An id given in an input: BAD_USER_INPUT naming the field when it cannot be one. */
export function inputId(id: string, field: string): string {
  if (!isUuid(id)) throw badInput('not a valid id', field);
  return id;
}

/** Whether a flush failed on a unique constraint (a duplicate), as MikroORM reports it. */
export const isUniqueViolation = (err: unknown) => err instanceof UniqueConstraintViolationException;
