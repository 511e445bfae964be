// The catalog Worker's cron forgets what the feed no longer needs: notes shown before the recently-seen window and
// learnt interests untouched for 13 half-lives. Rows are aged by writing their timestamps back, for this test's own
// profiles only: other files share the database.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { HALF_LIFE_MS, SEEN_MS, scaledWeight } from "#shared/interests.ts";
import { forgetStale, INTEREST_KEEP_MS } from "../../../workers/catalog/src/feed/forget.ts";
import { call, db, newShopper } from "./notes-fixtures.ts";

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function seen(profileId: string, notes: [noteId: string, seenAtMs: number][]): Promise<void> {
  await db().$client.batch(
    notes.map(([noteId, at]) => ({
      sql: "INSERT INTO feed_seen (profile_id, note_id, seen_at) VALUES (?, ?, ?)",
      args: [profileId, noteId, iso(at)],
    })),
    "write",
  );
}

async function learnt(profileId: string, topics: [key: string, weight: number, atMs: number][]): Promise<void> {
  await db().$client.batch(
    topics.map(([key, weight, at]) => ({
      sql: `INSERT INTO interests (profile_id, kind, key, weight, signals, updated_at)
            VALUES (?, 'topic', ?, ?, '{"like":1}', ?)`,
      args: [profileId, key, scaledWeight(weight, at), iso(at)],
    })),
    "write",
  );
}

async function column(sql: string, args: string[]): Promise<string[]> {
  const { rows } = await db().$client.execute({ sql, args });
  return rows.map((row) => String(Object.values(row)[0])).sort();
}

describe("forgetting feed memory", () => {
  it("the cron removes notes shown before the window and stale learnt interests, and keeps the rest", async () => {
    const shopper = await newShopper();
    const now = Date.now();
    await seen(shopper.id, [
      ["note_shown_before_the_window", now - SEEN_MS - 60_000],
      ["note_shown_within_it", now - SEEN_MS + 3_600_000],
    ]);
    await learnt(shopper.id, [
      ["stale", 1, now - INTEREST_KEEP_MS - DAY_MS],
      ["fading", 1, now - INTEREST_KEEP_MS + DAY_MS],
      ["fresh", 1, now - HALF_LIFE_MS],
      ["not-interested", -1, now - INTEREST_KEEP_MS - DAY_MS],
    ]);

    // As Cloudflare (or `npm start`) calls it once a minute.
    await exports.default.scheduled();

    expect(await column("SELECT note_id FROM feed_seen WHERE profile_id = ?", [shopper.id])).toEqual([
      "note_shown_within_it",
    ]);
    expect(await column("SELECT key FROM interests WHERE profile_id = ?", [shopper.id])).toEqual([
      "fading",
      "fresh",
      "not-interested",
    ]);
    // The profile as its owner reads it: the stale topic is gone; the choice not to see a topic stays.
    const res = await call("GET", "/v1/me/interests", { as: shopper });
    expect(res.status).toBe(200);
    const profile = await res.json<{ topics: { key: string }[]; hidden: { key: string }[] }>();
    expect(profile.topics.map((t) => t.key)).toEqual(["fresh", "fading"]);
    expect(profile.hidden).toEqual([{ kind: "topic", key: "not-interested" }]);
  });

  it("removes a batch per statement and stops at its budget; the next run goes on", async () => {
    const profileId = newId("shp");
    const old = Date.now() - SEEN_MS - DAY_MS;
    await seen(
      profileId,
      Array.from({ length: 25 }, (_, i) => [`note_old_${i}`, old - i * 1000] as [string, number]),
    );
    const left = async () => (await column("SELECT note_id FROM feed_seen WHERE profile_id = ?", [profileId])).length;

    // No budget: one batch of each table per run.
    const first = await forgetStale(db(), { batch: 10, budgetMs: 0 });
    expect(first.feed_seen).toBe(10);
    // A budget: batches until none is left.
    const rest = await forgetStale(db(), { batch: 10 });
    expect(rest.feed_seen).toBeGreaterThanOrEqual(15);
    expect(await left()).toBe(0);
  });
});
