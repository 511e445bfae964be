import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { liveSessionProducts, liveSessionReminders } from "#shared/schema.ts";
import { demo, demoLiveSessionId } from "../../../dev/demo.ts";
import type { LiveRoom } from "../../../workers/live/src/room/live-room.ts";
import { call, db, newCreator, newMerchant, newProduct, newShopper, scheduled } from "./helpers.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://live${path}`));

describe("GET /v1/live/sessions/{id}", () => {
  it("returns the scheduled demo session with its shelf in order and the room's viewer count", async () => {
    const res = await get(`/v1/live/sessions/${demoLiveSessionId}`);
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id: demoLiveSessionId,
      object: "live_session",
      status: "scheduled",
      host: { type: "creator", id: demo.creators[0]?.id },
      productIds: [demo.products[0]?.id, demo.products[2]?.id],
      viewerCount: 0,
    });
  });

  it("answers 404 for an unknown session without creating its room", async () => {
    const unknown = "live_01JZ0000000000000000009999";
    const res = await get(`/v1/live/sessions/${unknown}`);
    expect(res.status).toBe(404);
    expect((await res.json<{ code: string }>()).code).toBe("not_found");
    const ids = await listDurableObjectIds(env.LIVE_ROOM);
    expect(ids.some((id) => id.equals(env.LIVE_ROOM.idFromName(unknown)))).toBe(false);
  });
});

describe("LiveRoom", () => {
  it("counts the viewers whose sockets it holds", async () => {
    const stub = env.LIVE_ROOM.getByName("room-count-test");
    expect((await stub.snapshot()).viewerCount).toBe(0);
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      for (let i = 0; i < 3; i++) state.acceptWebSocket(new WebSocketPair()[1]);
    });
    expect((await stub.snapshot()).viewerCount).toBe(3);
  });
});

describe("health()", () => {
  it("reports the database and the room namespace as up", async () => {
    const health = await exports.default.health();
    expect(health.status).toBe("ok");
    expect(Object.keys(health.checks).sort()).toEqual(["database", "liveRoom"]);
  });
});

describe("POST /v1/live/sessions", () => {
  it("a creator shelves only products whose product and merchant allow promotion, at their commission rate", async () => {
    const creator = await newCreator();
    const open = await newMerchant({ commissionRateBps: 1200 });
    const closed = await newMerchant({ allowsPromotion: false });
    const byMerchantRate = await newProduct(open.id);
    const ownRate = await newProduct(open.id, { commissionRateBps: 2000 });
    const notPromotable = await newProduct(open.id, { allowsPromotion: false });
    const closedMerchants = await newProduct(closed.id);

    const refused = await call("POST", "/v1/live/sessions", {
      as: creator,
      body: {
        title: "试播",
        scheduledStartAt: new Date(Date.now() + 3_600_000).toISOString(),
        productIds: [byMerchantRate, notPromotable, closedMerchants, "prod_NOSUCHPRODUCT"],
      },
    });
    expect(refused.status).toBe(400);
    const problem = await refused.json<{ errors: { path: string }[] }>();
    expect(problem.errors.map((e) => e.path)).toEqual(["/productIds/1", "/productIds/2", "/productIds/3"]);

    const { id } = await scheduled(creator, {
      productIds: [ownRate, byMerchantRate],
      coverUrl: "https://img.example.com/c.jpg",
    });
    const shelf = await db()
      .select()
      .from(liveSessionProducts)
      .where(eq(liveSessionProducts.sessionId, id))
      .orderBy(liveSessionProducts.position);
    expect(shelf.map((s) => [s.productId, s.commissionRateBps])).toEqual([
      [ownRate, 2000],
      [byMerchantRate, 1200],
    ]);
    const read = await (await get(`/v1/live/sessions/${id}`)).json<Record<string, unknown>>();
    expect(read).toMatchObject({
      status: "scheduled",
      host: { type: "creator", id: creator.id },
      productIds: [ownRate, byMerchantRate],
    });
  });

  it("a store schedules with its own products only; shoppers and anonymous callers cannot host", async () => {
    const store = await newMerchant();
    const other = await newMerchant();
    const mine = await newProduct(store.id);
    const theirs = await newProduct(other.id);
    const body = { title: "店铺直播", scheduledStartAt: new Date(Date.now() + 60_000).toISOString() };
    const wrong = await call("POST", "/v1/live/sessions", { as: store, body: { ...body, productIds: [mine, theirs] } });
    expect(wrong.status).toBe(400);
    const { id } = await scheduled(store, { productIds: [mine] });
    expect(id).toMatch(/^live_/);
    expect((await call("POST", "/v1/live/sessions", { as: await newShopper(), body })).status).toBe(403);
    expect((await call("POST", "/v1/live/sessions", { body })).status).toBe(401);
    expect((await call("POST", "/v1/live/sessions", { as: store, body: { ...body, extra: 1 } })).status).toBe(400);
  });

  it("only the host starts and ends; another host gets 404", async () => {
    const creator = await newCreator();
    const { id } = await scheduled(creator);
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: await newCreator() })).status).toBe(404);
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: await newMerchant() })).status).toBe(404);
    const started = await call("POST", `/v1/live/sessions/${id}/start`, { as: creator });
    expect(await started.json()).toMatchObject({ status: "live", startedAt: expect.any(String) });
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: creator })).status).toBe(200);
    const ended = await call("POST", `/v1/live/sessions/${id}/end`, { as: creator });
    expect(await ended.json()).toMatchObject({ status: "ended", endedAt: expect.any(String) });
    expect((await call("POST", `/v1/live/sessions/${id}/start`, { as: creator })).status).toBe(409);
  });
});

describe("GET /v1/live/sessions", () => {
  it("lists live sessions first, then scheduled ones by start time, page by page", async () => {
    const creator = await newCreator();
    const soon = new Date(Date.now() + 60_000).toISOString();
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const a = await scheduled(creator, { scheduledStartAt: later });
    const b = await scheduled(creator, { scheduledStartAt: soon });
    const c = await scheduled(creator, { scheduledStartAt: later });
    await call("POST", `/v1/live/sessions/${c.id}/start`, { as: creator });
    const ended = await scheduled(creator);
    await call("POST", `/v1/live/sessions/${ended.id}/end`, { as: creator });

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/live/sessions?hostId=${creator.id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = await res.json<{ data: { id: string }[]; nextCursor: string | null }>();
      ids.push(...page.data.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual([c.id, b.id, a.id]);
    const endedOnly = await (await get(`/v1/live/sessions?hostId=${creator.id}&status=ended`)).json<{
      data: { id: string }[];
    }>();
    expect(endedOnly.data.map((s) => s.id)).toEqual([ended.id]);
    expect((await get("/v1/live/sessions?status=paused")).status).toBe(400);
  });
});

describe("reminders", () => {
  it("a person sets and cancels a reminder, idempotently", async () => {
    const shopper = await newShopper();
    const { id } = await scheduled(await newCreator());
    const path = `/v1/live/sessions/${id}/reminder`;
    expect((await call("PUT", path, { as: shopper })).status).toBe(204);
    expect((await call("PUT", path, { as: shopper })).status).toBe(204);
    const rows = () =>
      db()
        .select()
        .from(liveSessionReminders)
        .where(and(eq(liveSessionReminders.sessionId, id), eq(liveSessionReminders.personId, shopper.id)));
    expect(await rows()).toHaveLength(1);
    expect((await call("DELETE", path, { as: shopper })).status).toBe(204);
    expect(await rows()).toHaveLength(0);
    expect((await call("PUT", path)).status).toBe(401);
  });
});
