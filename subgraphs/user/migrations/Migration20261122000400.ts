import { Migration } from '@mikro-orm/migrations';

/** Wallets linked to accounts by signature. */
export class Migration20261122000400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity"."wallet" (
      "id" uuid not null primary key,
      "address" text not null constraint "wallet_address_unique" unique,
      "user_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "linked_at" timestamptz not null);`);
    this.addSql(`create index "wallet_user_id_index" on "identity"."wallet" ("user_id");`);
  }
}
