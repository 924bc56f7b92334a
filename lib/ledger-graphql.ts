import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { ARG } from './arg-descriptions.js';
import { badInput } from './errors.js';

/**
 * What every kind of ledger record shows through GraphQL (the session and energy-trading subgraphs
 * each extend it with their record's own id): the record in the ledger format (lib/ledger.ts,
 * docs/ledger-format.md), the hash sent to the chain, and where the chain has it.
 */
@ObjectType()
export abstract class LedgerRecordFields {
  @Field({ description: 'The record number the contract knows the record by (its event’s recordId).' })
  recordId!: string;

  @Field({ description: 'PENDING, SUBMITTED, CONFIRMED or FAILED.' })
  status!: string;

  @Field({
    description:
      'The record as EIP-712 typed data, JSON text (types, primaryType, domain, message; integers as decimal ' +
      'strings): what eth_signTypedData_v4 tools and ethers’ TypedDataEncoder hash (docs/ledger-format.md).',
  })
  typedData!: string;

  @Field({ description: 'The record hash the platform sent to the chain with it (its event’s recordHash).' })
  recordHash!: string;

  @Field(() => String, { nullable: true, description: 'The settling transaction, once CONFIRMED.' })
  txHash!: string | null;

  @Field(() => Int, { nullable: true, description: 'The block of the settling transaction, once CONFIRMED.' })
  blockNumber!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Index of the record’s event in its block (in a proof; null in lists).',
  })
  logIndex!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Blocks on top of the settling block, counting it, now (in a proof; null in lists).',
  })
  confirmations!: number | null;
}

/**
 * The object type of a page of ledger records of one kind (`name`, e.g. SessionLedgerPage), in
 * record-number order: the records and the cursor of the next page.
 */
export function LedgerPage<T extends object>(recordType: ClassType<T>, name: string, what: string) {
  @ObjectType(name, { description: `A page of ${what}, in record-number order.` })
  class Page {
    @Field(() => [recordType], { description: 'The records of this page, lowest record number first.' })
    records!: T[];

    @Field(() => String, {
      nullable: true,
      description: 'Pass as `after` for the next page; null on the last page.',
    })
    nextCursor!: string | null;
  }
  return Page;
}

/** A ledger summary's period, [from, to): checked (BAD_USER_INPUT: reversed, or longer than a year). */
export function periodOf(from: Date, to: Date): { from: Date; to: Date } {
  if (!(from.getTime() < to.getTime())) throw badInput('from must be before to', 'to');
  if (to.getTime() - from.getTime() > 366 * 24 * 3600_000)
    throw badInput('the period is at most a year', 'to');
  return { from, to };
}

const RECORD_NUMBER = /^\d{1,19}$/;

/** The paging arguments of every ledger listing (`@Args(() => RecordPageArgs)`), checked by checkRecordPage. */
@ArgsType()
export class RecordPageArgs {
  @Field(() => Int, { defaultValue: 500, description: ARG.first })
  first!: number;

  @Field(() => String, { nullable: true, description: ARG.after })
  after!: string | null;
}

/**
 * A ledger listing's paging arguments, checked (BAD_USER_INPUT otherwise): `first` 1–1,000, and
 * `after` a record number (the previous page's nextCursor) or none.
 */
export function checkRecordPage(first: number, after: string | null): void {
  if (!Number.isInteger(first) || first < 1 || first > 1000)
    throw badInput('first must be 1 to 1,000', 'first');
  if (after != null && !RECORD_NUMBER.test(after)) throw badInput('after must be a nextCursor', 'after');
}

/** A record number argument, checked (BAD_USER_INPUT otherwise). */
export function checkRecordNumber(recordId: string): void {
  if (!RECORD_NUMBER.test(recordId)) throw badInput('recordId must be a record number', 'recordId');
}

/**
 * One page of records read with `limit first + 1`: the first `first`, and the next page's cursor
 * (the last one's record number) when there were more.
 */
export function recordPage<T>(rows: T[], first: number, recordIdOf: (row: T) => string) {
  const page = rows.slice(0, first);
  return { page, nextCursor: rows.length > first ? recordIdOf(page.at(-1)!) : null };
}
