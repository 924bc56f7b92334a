import { Migration } from '@mikro-orm/migrations';

/**
 * Disputed sessions: a session whose energy exceeds what its EVSE can deliver in the time is DISPUTED
 * (kept out of settlement) until its operator or an admin resolves it. The EVSE's power is kept from
 * the start, so the check needs no call at the stop.
 */
export class Migration20261203000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "session"."charging_session"
      drop constraint "charging_session_status_check",
      add constraint "charging_session_status_check" check ("status" in ('ACTIVE', 'COMPLETED', 'DISPUTED')),
      add column "evse_max_power_kw" double precision null,
      add column "dispute_reason" text null,
      add column "dispute_resolution" text null check ("dispute_resolution" in ('SETTLE', 'WRITE_OFF')),
      add column "dispute_resolved_by" uuid null;`);
  }
}
