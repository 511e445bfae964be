// `npm start` fires the Workers' cron triggers at the start of each minute (dev/bundles.ts), as Cloudflare does: a
// webhook message recorded without the kick that should have woken its dispatcher (a writer's isolate that ended
// first) still goes out, sent by the checkout Worker's once-a-minute sweep; and the catalog Worker's forgets a feed
// page's notes shown before the recently-seen window.
import { afterAll, describe, expect, it } from "vitest";
import { zhongcao } from "#shared/client/index.ts";
import { newId } from "#shared/ids.ts";
import { SEEN_MS } from "#shared/interests.ts";
import { connect, localToken } from "../../../dev/database.ts";
import { startWebhookReceiver } from "../../webhook-receiver.ts";
import { npmStartForFile } from "./npm-start.ts";

const platform = await npmStartForFile("crons");
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());

describe("npm start's cron triggers", () => {
  it("run the webhook sweep and the feed's forgetting each minute, from the next minute's start", async () => {
    const { operatorKey } = await platform.credentials<{ operatorKey: string }>();
    const onboarded = await zhongcao(platform.gateway, { bearer: operatorKey }).POST("/v1/merchants", {
      body: {
        name: "Cron Test Store",
        handle: "crontest",
        commissionRateBps: 1000,
        allowsPromotion: true,
        allowedOrigins: [],
      },
    });
    if (!onboarded.data) throw new Error(JSON.stringify(onboarded.error));
    const store = zhongcao(platform.gateway, { bearer: onboarded.data.secretKey.key });
    const endpoint = await store.POST("/v1/webhook-endpoints", {
      body: { url: `${receiver.url}/hooks/sweep`, eventTypes: ["order.created"] },
    });
    if (!endpoint.data) throw new Error(JSON.stringify(endpoint.error));

    // The message and its delivery as a writer records them, and no kick.
    const db = connect({ url: platform.libsqlUrl, authToken: await localToken(platform.dataDir) });
    const now = new Date();
    const at = now.toISOString();
    const messageId = newId("msg", now.getTime());
    const payload = JSON.stringify({ type: "order.created", livemode: false, timestamp: at, data: { test: true } });
    await db.$client.batch(
      [
        {
          sql: "INSERT INTO webhook_messages (id, type, livemode, payload, created_at) VALUES (?, 'order.created', 0, ?, ?)",
          args: [messageId, payload, at],
        },
        {
          sql: `INSERT INTO webhook_deliveries (message_id, endpoint_id, status, attempts, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, 'pending', 0, ?, ?, ?)`,
          args: [messageId, endpoint.data.id, at, at, at],
        },
      ],
      "write",
    );
    // A guest's note shown before the recently-seen window (SEEN_MS), and one shown now.
    const profileId = `visitor:pk_crontest:${crypto.randomUUID()}`;
    await db.$client.execute({
      sql: "INSERT INTO feed_seen (profile_id, note_id, seen_at) VALUES (?, 'note_stale', ?), (?, 'note_recent', ?)",
      args: [profileId, new Date(now.getTime() - SEEN_MS - 60_000).toISOString(), profileId, at],
    });
    const seen = async () =>
      (
        await db.$client.execute({ sql: "SELECT note_id FROM feed_seen WHERE profile_id = ?", args: [profileId] })
      ).rows.map((row) => String(row.note_id));
    const nextMinute = Math.ceil(now.getTime() / 60_000) * 60_000;

    // Within the minute after the next one starts (a loaded machine may be slow to sweep).
    const deadline = nextMinute + 60_000;
    let delivered: { id: string; at: number; body: string } | undefined;
    while (!delivered && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      delivered = receiver.received.get("sweep")?.find((d) => d.id === messageId);
    }
    expect(delivered, "the sweep delivered the message").toBeDefined();
    expect(delivered?.at).toBeGreaterThanOrEqual(nextMinute);
    expect(JSON.parse(delivered?.body ?? "{}")).toMatchObject({ type: "order.created", data: { test: true } });

    let kept = await seen();
    while (kept.includes("note_stale") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      kept = await seen();
    }
    expect(kept, "the catalog's cron forgot the stale row only").toEqual(["note_recent"]);
    db.$client.close();
  }, 150_000);
});
