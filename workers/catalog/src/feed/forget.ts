// What the feed remembers is kept while it still counts, then removed by the catalog Worker's once-a-minute cron: a
// note shown more than SEEN_MS (3 days) ago may be shown again, so its `feed_seen` row is dead; a learnt interest
// untouched for 13 half-lives weighs under 1/8,000 of what it did. A "not interested" (a negative weight) is the
// person's own choice and stays until they reset their profile. Guests' profiles (one per storefront visitor) would
// otherwise grow both tables for ever (docs/design/personalised-feed.md#forgetting).
import type { Database } from "#shared/db.ts";
import { HALF_LIFE_MS, SEEN_MS } from "#shared/interests.ts";
import { log } from "#shared/log.ts";

export const INTEREST_KEEP_MS = 13 * HALF_LIFE_MS;

/** Each table, the column that says when a row was last of use, how long a row is kept after it, and which rows. */
const kept = [
  { table: "feed_seen", column: "seen_at", keepMs: SEEN_MS, only: "true" },
  { table: "interests", column: "updated_at", keepMs: INTEREST_KEEP_MS, only: "weight >= 0" },
] as const;

/**
 * Removes rows past their keeping, a batch per statement (a short write, so feed writes are not held up), until none
 * is left or the table's share of `budgetMs` has passed; the next minute's run goes on from there. Returns how many
 * rows of each table.
 */
export async function forgetStale(
  db: Database,
  { now = Date.now(), batch = 5_000, budgetMs = 10_000 } = {},
): Promise<Record<(typeof kept)[number]["table"], number>> {
  const removed = { feed_seen: 0, interests: 0 };
  for (const { table, column, keepMs, only } of kept) {
    const until = Date.now() + budgetMs / kept.length;
    const before = new Date(now - keepMs).toISOString();
    for (;;) {
      // rowid: both tables have composite keys; the subquery finds the rows by a range of the column's index.
      const result = await db.$client.execute({
        sql: `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? AND ${only} LIMIT ?)`,
        args: [before, batch],
      });
      removed[table] += result.rowsAffected;
      if (result.rowsAffected < batch || Date.now() > until) break;
    }
  }
  if (removed.feed_seen + removed.interests > 0) log("info", "feed memory forgotten", removed);
  return removed;
}
