import { Migration } from '@mikro-orm/migrations';

/**
 * Subscription plans: an operator's plans, drivers' subscriptions to them, and each subscription
 * period's fee (`plan_charge`), numbered from its own record sequence and settled on chain as a
 * PlanFee record (docs/ledger-format.md).
 */
export class Migration20261205000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "session"."plan" (
      "id" uuid primary key,
      "operator_id" uuid not null,
      "name" text not null,
      "description" text null,
      "currency" text not null,
      "monthly_fee_micros" bigint not null check ("monthly_fee_micros" > 0),
      "energy_discount_per_kwh_micros" bigint not null default 0 check ("energy_discount_per_kwh_micros" >= 0),
      "free_minutes" int not null default 0 check ("free_minutes" >= 0),
      "retired_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "plan_operator" on "session"."plan" ("operator_id", "created_at");`);
    this.addSql(`create table "session"."plan_subscription" (
      "id" uuid primary key,
      "plan_id" uuid not null references "session"."plan" ("id"),
      "user_id" uuid not null,
      "operator_id" uuid not null,
      "status" text not null check ("status" in ('ACTIVE', 'ENDED')),
      "started_at" timestamptz not null,
      "periods" int not null default 1,
      "period_start" timestamptz not null,
      "period_end" timestamptz not null,
      "cancel_at_period_end" boolean not null default false,
      "cancelled_at" timestamptz null,
      "ended_at" timestamptz null,
      "end_reason" text null);`);
    // One subscription in force per driver and operator.
    this.addSql(`create unique index "plan_subscription_one_active" on "session"."plan_subscription"
      ("user_id", "operator_id") where "status" = 'ACTIVE';`);
    this.addSql(`create index "plan_subscription_due" on "session"."plan_subscription" ("period_end")
      where "status" = 'ACTIVE';`);
    this.addSql(
      `create index "plan_subscription_plan" on "session"."plan_subscription" ("plan_id", "started_at");`,
    );
    this.addSql(
      `create index "plan_subscription_user" on "session"."plan_subscription" ("user_id", "started_at");`,
    );
    this.addSql(`create sequence "session"."plan_fee_record_seq" start 1;`);
    this.addSql(`create table "session"."plan_charge" (
      "id" uuid primary key,
      "subscription_id" uuid not null references "session"."plan_subscription" ("id"),
      "plan_id" uuid not null,
      "user_id" uuid not null,
      "operator_id" uuid not null,
      "period_start" timestamptz not null,
      "period_end" timestamptz not null,
      "amount_micros" bigint not null,
      "currency" text not null,
      "created_at" timestamptz not null,
      "record_id" bigint not null unique,
      "status" text not null check ("status" in ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED')),
      "payer" text not null,
      "payee" text not null,
      "record_hash" text not null,
      "tx_hash" text null,
      "block" int null,
      "fee" bigint null,
      "failure_reason" text null,
      "updated_at" timestamptz not null,
      constraint "plan_charge_once" unique ("subscription_id", "period_start"));`);
    this.addSql(`create index "plan_charge_status" on "session"."plan_charge" ("status", "updated_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "session"."plan_charge";`);
    this.addSql(`drop sequence "session"."plan_fee_record_seq";`);
    this.addSql(`drop table "session"."plan_subscription";`);
    this.addSql(`drop table "session"."plan";`);
  }
}
