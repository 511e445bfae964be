// Stream views for the business figures: a viewer's stream token counts once per viewer, session and UTC day (a
// token is renewed every 10 minutes while watching); the host's and a moderator's tokens are not views. Recorded
// after the response (waitUntil), so the test waits for the rollup row.
import { describe, expect, it, vi } from "vitest";
import { db, hostWithShelf, newShopper, scheduled, tokensFor } from "./helpers.ts";

async function streamViews(kind: string, id: string): Promise<number> {
  const rows = await db().$client.execute({
    sql: "SELECT stream_views FROM analytics_daily WHERE scope_kind = ? AND scope_id = ? AND day = ?",
    args: [kind, id, new Date().toISOString().slice(0, 10)],
  });
  return Number(rows.rows[0]?.stream_views ?? 0);
}

describe("stream views", () => {
  it("count each viewer once a day, for the session, its host and its shelf's merchant", async () => {
    const { host, merchant, productIds } = await hostWithShelf();
    const moderator = await newShopper("场控");
    const session = await scheduled(host, { productIds, moderatorIds: [moderator.id] });
    const [first, second, last] = [await newShopper(), await newShopper(), await newShopper()];
    for (const who of [first, first, second, first, host, moderator, last]) await tokensFor(session.id, who);
    // first (three tokens), second and last = 3; the host and the moderator are not viewers. The last viewer's
    // view, asked for after theirs, is awaited before they are looked for.
    await vi.waitFor(async () => expect(await streamViews("live_session", session.id)).toBe(3), { timeout: 5_000 });
    const viewers = await db().$client.execute({
      sql: "SELECT viewer_id FROM analytics_viewers WHERE subject_id = ? ORDER BY viewer_id",
      args: [session.id],
    });
    expect(viewers.rows.map((r) => r.viewer_id)).toEqual([first.id, second.id, last.id].sort());
    expect(await streamViews("creator", host.id)).toBe(3);
    expect(await streamViews("merchant", merchant.id)).toBe(3);
  });
});
