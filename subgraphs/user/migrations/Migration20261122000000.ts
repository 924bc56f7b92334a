import { Migration } from '@mikro-orm/migrations';

/** Accounts and refresh tokens. */
export class Migration20261122000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity"."user" (
      "id" uuid not null primary key,
      "email" text not null constraint "user_email_unique" unique,
      "password_hash" text not null,
      "display_name" text not null,
      "roles" text[] not null constraint "user_roles_check" check ("roles" <@ array['DRIVER','HOST','BUYER','INVESTOR','OPERATOR','AUDITOR','ADMIN']::text[]),
      "failed_logins" int not null default 0,
      "locked_until" timestamptz null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null);`);
    this.addSql(`create index "user_created_at_id_index" on "identity"."user" ("created_at", "id");`);
    this.addSql(`create table "identity"."refresh_token" (
      "id" uuid not null primary key,
      "user_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "token_hash" text not null constraint "refresh_token_token_hash_unique" unique,
      "family" uuid not null,
      "expires_at" timestamptz not null,
      "replaced_at" timestamptz null,
      "revoked_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "refresh_token_family_index" on "identity"."refresh_token" ("family");`);
    this.addSql(`create index "refresh_token_user_id_index" on "identity"."refresh_token" ("user_id");`);
  }
}
