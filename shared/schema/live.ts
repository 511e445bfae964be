// Live shopping (the live Worker writes these): sessions and their shelf, moderators, go-live reminders, and
// what a session leaves behind (totals, recording, replay timeline).
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { products } from "./catalog.ts";
import { requiredRef, searchPinyin, status, timestamp, version } from "./columns.ts";
import { creators, merchants } from "./identity-and-keys.ts";

export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: text("id").primaryKey(),
    hostType: text("host_type", { enum: ["creator", "merchant"] }).notNull(),
    creatorId: text("creator_id").references(() => creators.id),
    merchantId: text("merchant_id").references(() => merchants.id),
    title: text("title").notNull(),
    coverUrl: text("cover_url"),
    // scheduled → live → ended, or scheduled → cancelled by its host.
    ...status("scheduled", "live", "ended", "cancelled"),
    scheduledStartAt: text("scheduled_start_at").notNull(),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
    ...searchPinyin(),
    createdAt: timestamp("created_at"),
    // Bumped on every change; the live Worker's per-isolate session cache and the ETag are keyed by it.
    ...version(),
  },
  (t) => [
    index("live_sessions_status").on(t.status, t.scheduledStartAt),
    check(
      "live_sessions_host",
      sql`(${t.hostType} = 'creator' AND ${t.creatorId} IS NOT NULL) OR (${t.hostType} = 'merchant' AND ${t.merchantId} IS NOT NULL)`,
    ),
  ],
);

export const liveSessionProducts = sqliteTable(
  "live_session_products",
  {
    sessionId: requiredRef("session_id", () => liveSessions.id),
    productId: requiredRef("product_id", () => products.id),
    position: integer("position").notNull(),
    // A creator's commission on sales from this shelf, fixed when shelved (product's rate, else the merchant's).
    commissionRateBps: integer("commission_rate_bps"),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.productId] })],
);

// A person named on a session, at most once: the host's moderators (shp_… or cre_…; they may delete comments, mute
// and ban), and those who asked to be told when a scheduled session goes live (also looked up by person).
const sessionPeople = <TName extends string>(name: TName, { byPerson }: { byPerson: boolean }) =>
  sqliteTable(
    name,
    {
      sessionId: requiredRef("session_id", () => liveSessions.id),
      personId: text("person_id").notNull(),
      createdAt: timestamp("created_at"),
    },
    (t) => [
      primaryKey({ columns: [t.sessionId, t.personId] }),
      ...(byPerson ? [index(`${name}_person`).on(t.personId)] : []),
    ],
  );

export const liveSessionModerators = sessionPeople("live_session_moderators", { byPerson: false });
export const liveSessionReminders = sessionPeople("live_session_reminders", { byPerson: true });

// A session's totals (written by its LiveRoom's figures when it ends) and its recording (from the video server's
// egress_ended webhook, which may come before or after the end): upserted from both sides.
export const liveSessionSummaries = sqliteTable("live_session_summaries", {
  sessionId: requiredRef("session_id", () => liveSessions.id).primaryKey(),
  peakViewers: integer("peak_viewers").notNull().default(0),
  uniqueViewers: integer("unique_viewers").notNull().default(0),
  likes: integer("likes").notNull().default(0),
  comments: integer("comments").notNull().default(0),
  questions: integer("questions").notNull().default(0),
  durationMs: integer("duration_ms"),
  // GMV at the end: the session's attributed lines of paid, fulfilled or delivered orders, one entry per currency.
  gmv: text("gmv", { mode: "json" }).$type<{ amount: number; currency: string }[]>(),
  recordingUrl: text("recording_url"),
  egressId: text("egress_id"),
  updatedAt: timestamp("updated_at"),
});

// The replay timeline: every room event that matters (product pinned and unpinned, flash sale opened and closed,
// question answered, per-minute comment and like counts), at its offset from the stream's start.
export const liveSessionEvents = sqliteTable(
  "live_session_events",
  {
    sessionId: requiredRef("session_id", () => liveSessions.id),
    seq: integer("seq").notNull(),
    offsetMs: integer("offset_ms").notNull(),
    type: text("type").notNull(),
    productId: text("product_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] })],
);
