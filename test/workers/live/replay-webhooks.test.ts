import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { AccessToken, WebhookReceiver } from "livekit-server-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { flashSales, liveSessionSummaries, liveSessions } from "#shared/schema.ts";
import type { LiveRoom } from "../../../workers/live/src/room/live-room.ts";
import { type Caller, call, db, hostWithShelf, join, newShopper, scheduled, tokensFor } from "./helpers.ts";

let host: Caller;
let merchant: Caller;
let productIds: string[];

beforeAll(async () => {
  ({ host, merchant, productIds } = await hostWithShelf(3));
});

async function sha256Base64(body: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  return btoa(String.fromCharCode(...new Uint8Array(hash)));
}

/** A webhook signed the way LiveKit signs them: an access token (API key and secret) carrying the body's sha256. */
async function signedWebhook(event: Record<string, unknown>, secret = env.LIVEKIT_API_SECRET) {
  const body = JSON.stringify({
    id: `EV_${crypto.randomUUID()}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    ...event,
  });
  const at = new AccessToken(env.LIVEKIT_API_KEY, secret, { ttl: "5m" });
  at.sha256 = await sha256Base64(body);
  return { body, authorization: await at.toJwt() };
}

function postWebhook(body: string, authorization?: string): Promise<Response> {
  return exports.default.fetch(
    new Request("https://api.zhongcao.test/v1/webhooks/livekit", {
      method: "POST",
      headers: { "content-type": "application/webhook+json", ...(authorization ? { authorization } : {}) },
      body,
    }),
  );
}

const statusOf = async (id: string) =>
  (await db().select({ status: liveSessions.status }).from(liveSessions).where(eq(liveSessions.id, id)))[0]?.status;

describe("POST /v1/webhooks/livekit", () => {
  it("builds requests LiveKit's own WebhookReceiver accepts (the test's signing is the real one)", async () => {
    const { body, authorization } = await signedWebhook({ event: "room_started", room: { name: "live_X" } });
    const event = await new WebhookReceiver(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET).receive(body, authorization);
    expect(event.event).toBe("room_started");
  });

  it("refuses unsigned, wrongly signed and tampered calls with 401 and changes nothing", async () => {
    const { id } = await scheduled(host);
    const event = { event: "room_started", room: { name: id } };
    const unsigned = await postWebhook(JSON.stringify(event));
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("content-type")).toContain("application/problem+json");

    const wrongSecret = await signedWebhook(event, "another-secret");
    expect((await postWebhook(wrongSecret.body, wrongSecret.authorization)).status).toBe(401);

    const signed = await signedWebhook({ event: "room_finished", room: { name: id } });
    const tampered = signed.body.replace("room_finished", "room_started");
    expect((await postWebhook(tampered, signed.authorization)).status).toBe(401);
    expect(await statusOf(id)).toBe("scheduled");
  });

  it("room_started makes the session live, room_finished ends it with its totals; repeats change nothing", async () => {
    const { id } = await scheduled(host);
    const started = await signedWebhook({ event: "room_started", room: { name: id } });
    const res = await postWebhook(started.body, started.authorization);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, applied: true });
    expect(await statusOf(id)).toBe("live");
    expect((await postWebhook(started.body, started.authorization)).status).toBe(200);

    const finished = await signedWebhook({ event: "room_finished", room: { name: id } });
    expect((await postWebhook(finished.body, `Bearer ${finished.authorization}`)).status).toBe(200);
    expect(await statusOf(id)).toBe("ended");
    const summary = await db().select().from(liveSessionSummaries).where(eq(liveSessionSummaries.sessionId, id));
    expect(summary).toHaveLength(1);

    // A late room_started does not bring an ended session back.
    expect((await postWebhook(started.body, started.authorization)).status).toBe(200);
    expect(await statusOf(id)).toBe("ended");
  });

  it("a cancelled session's room_started and room_finished are acknowledged and change nothing; it has no replay", async () => {
    const { id } = await scheduled(host);
    expect((await call("POST", `/v1/live/sessions/${id}/cancel`, { as: host })).status).toBe(200);
    for (const event of ["room_started", "room_finished"]) {
      const hook = await signedWebhook({ event, room: { name: id } });
      expect(await (await postWebhook(hook.body, hook.authorization)).json()).toEqual({
        received: true,
        applied: false,
      });
    }
    expect(await statusOf(id)).toBe("cancelled");
    const replay = await call("GET", `/v1/live/sessions/${id}/replay`);
    expect(replay.status).toBe(409);
    expect((await replay.json<{ code: string }>()).code).toBe("session_cancelled");
  });

  it("egress_ended stores the recording URL the replay returns; unknown rooms are acknowledged and ignored", async () => {
    const { id } = await scheduled(host);
    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    const url = `https://recordings.example.com/${id}.mp4`;
    const egress = await signedWebhook({
      event: "egress_ended",
      egressInfo: { egressId: "EG_test", roomName: id, status: "EGRESS_COMPLETE", fileResults: [{ location: url }] },
    });
    expect(await (await postWebhook(egress.body, egress.authorization)).json()).toEqual({
      received: true,
      applied: true,
    });
    const replay = await (await call("GET", `/v1/live/sessions/${id}/replay`)).json<{ recordingUrl: string }>();
    expect(replay.recordingUrl).toBe(url);

    const stray = await signedWebhook({ event: "room_started", room: { name: "live_01JZ0000000000000000009997" } });
    expect(await (await postWebhook(stray.body, stray.authorization)).json()).toEqual({
      received: true,
      applied: false,
    });
  });
});

/** A flash sale on the product's SKU, started a minute ago and open for ten more. */
async function newFlashSale(productId: string, terms: { quantity: number; priceAmount: number }): Promise<string> {
  const sku = await db().query.skus.findFirst({ where: (s, { eq }) => eq(s.productId, productId) });
  const id = newId("fs");
  await db()
    .insert(flashSales)
    .values({
      id,
      merchantId: merchant.id,
      skuId: sku?.id ?? "",
      ...terms,
      currency: "CNY",
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 600_000).toISOString(),
    });
  return id;
}

describe("GET /v1/live/sessions/{id}/replay", () => {
  it("gives the product segments pinned during the stream, flash sale included, and the session's totals", async () => {
    const flashSaleId = await newFlashSale(productIds[1] ?? "", { quantity: 50, priceAmount: 4900 });
    const { id } = await scheduled(host, { productIds });
    expect((await call("GET", `/v1/live/sessions/${id}/replay`)).status).toBe(409);

    const hostRoom = await join(await tokensFor(id, host));
    const viewer = await join(await tokensFor(id, await newShopper()));
    // Pinned before going live: the segment starts at the stream's start.
    hostRoom.send({ type: "pin", productId: productIds[0] });
    await viewer.nextOfType("pinned");
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: host })).status).toBe(200);
    await viewer.next((f) => f.type === "status" && f.status === "live");

    hostRoom.send({ type: "pin", productId: productIds[1], flashSaleId });
    const pinned = await viewer.next(
      (f) => f.type === "pinned" && (f.product as { productId: string } | null)?.productId === productIds[1],
    );
    expect(pinned.product).toMatchObject({ flashSale: { id: flashSaleId, price: { amount: 4900 }, stockLeft: 50 } });
    viewer.send({ type: "comment", body: "冲!" });
    viewer.send({ type: "like", count: 12 });
    await viewer.sync();
    hostRoom.send({ type: "unpin" });
    await viewer.next((f) => f.type === "pinned" && f.product === null);
    hostRoom.send({ type: "pin", productId: productIds[2] });
    await viewer.next(
      (f) => f.type === "pinned" && (f.product as { productId: string } | null)?.productId === productIds[2],
    );
    await runDurableObjectAlarm(env.LIVE_ROOM.getByName(id));

    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    const res = await call("GET", `/v1/live/sessions/${id}/replay`);
    expect(res.status).toBe(200);
    const replay = await res.json<{
      segments: { productId: string; start: number; end: number; flashSaleId: string | null }[];
      events: { type: string; offset: number }[];
      totals: Record<string, number>;
      durationSeconds: number;
      recordingUrl: string | null;
    }>();
    expect(replay.segments.map((s) => [s.productId, s.flashSaleId])).toEqual([
      [productIds[0], null],
      [productIds[1], flashSaleId],
      [productIds[2], null],
    ]);
    expect(replay.segments[0]?.start).toBe(0);
    for (const [i, s] of replay.segments.entries()) {
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(replay.segments[i - 1]?.end ?? 0);
    }
    expect(replay.segments.at(-1)?.end).toBe(replay.durationSeconds);
    const types = replay.events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(["stream_started", "flash_sale_opened", "flash_sale_closed", "activity", "stream_ended"]),
    );
    expect(replay.totals).toMatchObject({ peakViewers: 2, uniqueViewers: 2, likes: 12, comments: 1, questions: 0 });
    expect(replay.recordingUrl).toBeNull();
  });
});

describe("a flash sale ending while its product stays pinned", () => {
  it("closes the sale in the room (by the alarm) and splits the replay segment there", async () => {
    const flashSaleId = await newFlashSale(productIds[0] ?? "", { quantity: 10, priceAmount: 1900 });
    const { id } = await scheduled(host, { productIds });
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: host })).status).toBe(200);
    const hostRoom = await join(await tokensFor(id, host));
    hostRoom.send({ type: "pin", productId: productIds[0], flashSaleId });
    await hostRoom.next((f) => f.type === "pinned");
    const stub = env.LIVE_ROOM.getByName(id);
    // The sale's end passes (moved into the past rather than waited for).
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = 'pinned'").one();
      const pinned = JSON.parse(row.value) as { flashSale: { endsAt: string } };
      pinned.flashSale.endsAt = new Date(Date.now() - 1000).toISOString();
      state.storage.sql.exec("UPDATE kv SET value = ? WHERE key = 'pinned'", JSON.stringify(pinned));
    });
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    expect(
      await hostRoom.next((f) => f.type === "pinned" && (f.product as { flashSale: unknown }).flashSale === null),
    ).toMatchObject({
      product: { productId: productIds[0] },
    });
    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    const replay = await (await call("GET", `/v1/live/sessions/${id}/replay`)).json<{
      segments: { productId: string; flashSaleId: string | null; start: number; end: number }[];
    }>();
    expect(replay.segments.map((s) => [s.productId, s.flashSaleId])).toEqual([
      [productIds[0], flashSaleId],
      [productIds[0], null],
    ]);
    expect(replay.segments[1]?.start).toBe(replay.segments[0]?.end);
  });
});
