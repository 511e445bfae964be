// Interest profiles and the feed's hot lists (docs/design/personalised-feed.md). A profile is a person's
// (`shp_…`, `cre_…`) or a storefront guest's (`visitor:<keyId>:<visitorId>`) weighted topics, categories, creators
// and merchants; it is read by its owner only. Weights decay by halving every 14 days without being rewritten:
// a weight is stored scaled by 2^(t/half-life) at the time it was added (shared/interests.ts), so ordering by the
// stored value is ordering by the weight now.
import { sql } from "drizzle-orm";
import { index, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { requiredRef, timestamp } from "./columns.ts";
import { notes } from "./social.ts";

export const interests = sqliteTable(
  "interests",
  {
    profileId: text("profile_id").notNull(),
    kind: text("kind", { enum: ["topic", "category", "creator", "merchant"] }).notNull(),
    key: text("key").notNull(),
    // Scaled weight (see above); negative after "not interested".
    weight: real("weight").notNull(),
    // How many of each signal made it, for "why" (`{"like": 3, "view": 5}`).
    signals: text("signals", { mode: "json" }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.profileId, t.kind, t.key] }),
    index("interests_profile_weight").on(t.profileId, t.weight),
    // For forgetting interests untouched for months (workers/catalog/src/feed/forget.ts).
    index("interests_age").on(t.updatedAt),
  ],
);

// Hot lists: every published note under each of its topics (lower case), its tagged products' categories, and
// `all`/`` (the global list). `hot` is its engagement scaled by 2^(age/72 h) from a fixed epoch, so the order of
// a list is its order by decayed engagement now; engagement changes rewrite the note's rows.
export const noteTags = sqliteTable(
  "note_tags",
  {
    kind: text("kind", { enum: ["topic", "category", "all"] }).notNull(),
    key: text("key").notNull(),
    noteId: requiredRef("note_id", () => notes.id),
    hot: real("hot").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.key, t.noteId] }),
    index("note_tags_hot").on(t.kind, t.key, t.hot),
    index("note_tags_note").on(t.noteId),
  ],
);

// Notes a profile was shown in the discover feed lately, so later pages and visits do not repeat them.
export const feedSeen = sqliteTable(
  "feed_seen",
  {
    profileId: text("profile_id").notNull(),
    noteId: text("note_id").notNull(),
    seenAt: timestamp("seen_at"),
  },
  (t) => [
    primaryKey({ columns: [t.profileId, t.noteId] }),
    index("feed_seen_recent").on(t.profileId, t.seenAt),
    // For forgetting what was shown before the window (workers/catalog/src/feed/forget.ts).
    index("feed_seen_age").on(t.seenAt),
  ],
);
