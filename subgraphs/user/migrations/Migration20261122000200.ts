import { Migration } from '@mikro-orm/migrations';

/** Id tokens (RFID cards, app tokens) that start charging on a user's account. */
export class Migration20261122000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity"."id_token" (
      "id" uuid not null primary key,
      "token" text not null constraint "id_token_token_unique" unique,
      "user_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "blocked" boolean not null default false,
      "expires_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "id_token_user_id_index" on "identity"."id_token" ("user_id");`);
  }
}
