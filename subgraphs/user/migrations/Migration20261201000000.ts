import { Migration } from '@mikro-orm/migrations';

/**
 * Accounts and partner keys, as issue 12 asks: verified emails, single-use account tokens (email
 * verification, password reset, email change; hashes only), API-key scopes, expiry, per-key limits
 * and last use. Drops the lock columns that login throttling in Redis replaced.
 */
export class Migration20261201000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "identity"."user"
      drop column "failed_logins",
      drop column "locked_until",
      add column "email_verified_at" timestamptz null;`);
    this.addSql(`create table "identity"."account_token" (
      "id" uuid not null primary key,
      "user_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "purpose" text not null check ("purpose" in ('verify-email', 'reset-password', 'change-email')),
      "token_hash" text not null constraint "account_token_token_hash_unique" unique,
      "new_email" text null,
      "expires_at" timestamptz not null,
      "used_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "account_token_user_id_index" on "identity"."account_token" ("user_id");`);
    this.addSql(`alter table "identity"."api_key"
      add column "scopes" text[] not null default '{}',
      add column "expires_at" timestamptz null,
      add column "rate_limit_per_minute" integer null check ("rate_limit_per_minute" >= 0),
      add column "rate_limit_per_hour" integer null check ("rate_limit_per_hour" >= 0),
      add column "last_used_at" timestamptz null;`);
  }
}
