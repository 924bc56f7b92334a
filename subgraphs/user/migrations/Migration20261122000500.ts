import { Migration } from '@mikro-orm/migrations';

/** Partner API keys (hashes only). */
export class Migration20261122000500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity"."api_key" (
      "id" uuid not null primary key,
      "name" text not null,
      "prefix" text not null,
      "key_hash" text not null constraint "api_key_key_hash_unique" unique,
      "owner_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "created_at" timestamptz not null,
      "revoked_at" timestamptz null);`);
    this.addSql(`create index "api_key_owner_id_index" on "identity"."api_key" ("owner_id");`);
  }
}
