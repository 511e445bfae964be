// The in-app inbox, the one way the platform tells a person something. A Worker adds notifications as one statement
// inside its own write batch or transaction, so the notice commits with the change it tells of, or not at all. There
// is at most one per (person, kind, subject): a retried delivery notifies no one twice. The live Worker serves the
// inbox (GET /v1/notifications, POST /v1/notifications/{id}/read, POST /v1/notifications/read-all).
import { type SQLWrapper, sql } from "drizzle-orm";
import type { Database } from "./db.ts";
import { newId } from "./ids.ts";
import { notifications } from "./schema.ts";

/** What a notification is about; the subject id names the resource (`live_…`, `fs_…`). */
export const notificationKinds = [
  "live_session_started",
  "live_session_cancelled",
  "flash_sale_started",
  // To creators: a merchant's targeted affiliate plan names them (subject `afp_…`).
  "affiliate_plan_invited",
  // To creators: the merchant shipped the sample they asked for (subject `smp_…`).
  "sample_shipped",
  // To creators: a merchant accepted their application to a paid brief, and its fee became payable (subject `cap_…`).
  "collaboration_accepted",
  "collaboration_fee_payable",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface Notice {
  kind: NotificationKind;
  subjectId: string;
  title: string;
  body: string;
  /** Where a storefront takes the person: the subject's API path. */
  link: string | null;
}

/**
 * One INSERT … SELECT giving `notice` to every person `recipients` selects (a query with one column, `person_id`),
 * skipping those who already have it. Ids are generated in the statement: this moment's time part, random after.
 * (`WHERE true` keeps SQLite from reading the upsert's ON CONFLICT as a join constraint.)
 */
export function notify(db: Database, notice: Notice, recipients: SQLWrapper, now = new Date()) {
  const idStem = newId("ntf", now.getTime()).slice(0, "ntf_".length + 10);
  return db
    .insert(notifications)
    .select(
      sql`SELECT ${idStem} || upper(hex(randomblob(8))), person_id, ${notice.kind}, ${notice.subjectId},
        ${notice.title}, ${notice.body}, ${notice.link}, ${now.toISOString()}, NULL
        FROM (SELECT DISTINCT person_id FROM (${recipients})) WHERE true`,
    )
    .onConflictDoNothing();
}
