import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeAttribution, resolveAttribution } from "#shared/attribution.ts";
import { problems } from "#shared/errors.ts";
import { storagePartVersion } from "#shared/storage.ts";
import {
  FLUSH_INTERVAL_MS,
  LIKES_PER_SECOND,
  likeBurst,
  likeIntervalMs,
} from "../../../workers/live/src/room/audience.ts";
import { chatMigrations, RATE_LIMIT } from "../../../workers/live/src/room/chat.ts";
import { BUFFER_SIZE, coreMigrations } from "../../../workers/live/src/room/core.ts";
import type { LiveRoom } from "../../../workers/live/src/room/live-room.ts";
import { shelfMigrations } from "../../../workers/live/src/room/shelf.ts";
import { timelineMigrations } from "../../../workers/live/src/room/timeline.ts";
import {
  type Caller,
  call,
  db,
  type Frame,
  hostWithShelf,
  join,
  newShopper,
  openRoom,
  type RoomClient,
  scheduled,
  type Tokens,
  tokensFor,
} from "./helpers.ts";

let host: Caller;
let moderator: Caller;
let productIds: string[];

beforeAll(async () => {
  ({ host, productIds } = await hostWithShelf([{ price: 9900, stock: 40 }, {}], "主播"));
  moderator = await newShopper("场控");
});

/** A fresh session with its host in the room; each test gets its own room. */
async function room(keywordFilter: string[] = []) {
  const { id } = await scheduled(host, { productIds, moderatorIds: [moderator.id], keywordFilter });
  const hostClient = await join(await tokensFor(id, host));
  return { id, hostClient, stub: env.LIVE_ROOM.getByName(id) };
}

async function viewer(sessionId: string, name = "观众"): Promise<{ who: Caller; tokens: Tokens; client: RoomClient }> {
  const who = await newShopper(name);
  const tokens = await tokensFor(sessionId, who, { name });
  return { who, tokens, client: await join(tokens) };
}

const errorFor = (client: RoomClient, ref: string) => client.next((f) => f.type === "error" && f.ref === ref);

describe("authentication before the upgrade", () => {
  it("refuses a missing, forged or other session's room token, and a plain GET", async () => {
    const { id } = await scheduled(host);
    const other = await scheduled(host);
    const shopper = await newShopper();
    const tokens = await tokensFor(id, shopper);

    const missing = await openRoom({ ...tokens, roomToken: "" });
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(401);

    const [h, p, s] = tokens.roomToken.split(".");
    const forged = await openRoom({ ...tokens, roomToken: `${h}.${p}.${s?.slice(0, -4)}AAAA` });
    expect((forged as Response).status).toBe(401);

    const elsewhere = await openRoom({ ...tokens, roomUrl: tokens.roomUrl.replace(id, other.id) });
    expect((elsewhere as Response).status).toBe(401);

    // The LiveKit token is not a room token.
    expect(((await openRoom({ ...tokens, roomToken: tokens.token })) as Response).status).toBe(401);

    const plain = await call("GET", `/v1/live/sessions/${id}/room?token=${tokens.roomToken}`);
    expect(plain.status).toBe(400);
  });

  it("welcomes an admitted client with its identity, role and the room's state", async () => {
    const { id, hostClient } = await room();
    const welcome = hostClient.frames[0] as Frame & { state: { shelf: { productId: string; attribution: string }[] } };
    expect(welcome).toMatchObject({ type: "welcome", identity: host.id, role: "host", state: { status: "scheduled" } });
    const shelf = welcome.state.shelf;
    expect(shelf.map((s) => s.productId)).toEqual(productIds);
    expect(shelf[0]).toMatchObject({ price: { amount: 9900, currency: "CNY" }, stockLeft: 40 });
    // Each shelf item carries the reference a purchase from the room credits: the live session and its creator host,
    // and checkout's check of it (resolveAttribution) accepts it for that product only.
    for (const item of shelf) {
      expect(await resolveAttribution(db(), item.attribution, item.productId)).toEqual({
        ok: true,
        attribution: { noteId: null, liveSessionId: id, creatorId: host.id, productId: item.productId },
      });
    }
    expect(await resolveAttribution(db(), shelf[0]?.attribution ?? "", productIds[1] ?? "")).toEqual({
      ok: false,
      reason: "mismatch",
    });
    hostClient.close();
    expect(id).toMatch(/^live_/);
  });
});

describe("messages", () => {
  it("answers unknown, malformed and oversized messages with an error frame and keeps the connection", async () => {
    const { id } = await room();
    const { client } = await viewer(id);
    client.send("not json");
    expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_message" });
    client.send({ type: "dance", ref: "r1" });
    expect(await errorFor(client, "r1")).toMatchObject({ code: "invalid_message" });
    client.send({ type: "comment", body: "x".repeat(201), ref: "r2" });
    const tooLong = await errorFor(client, "r2");
    expect(tooLong.errors).toEqual([expect.objectContaining({ path: "/body" })]);
    client.send({ type: "comment", body: "hi", extra: true, ref: "r3" });
    expect(await errorFor(client, "r3")).toMatchObject({ code: "invalid_message" });
    client.send(JSON.stringify({ type: "comment", body: "y".repeat(5000) }));
    expect(await client.nextOfType("error")).toMatchObject({ code: "invalid_message" });
    // Viewers may not moderate.
    client.send({ type: "ban", identity: "shp_x", ref: "r4" });
    expect(await errorFor(client, "r4")).toMatchObject({ code: "forbidden" });
    client.send({ type: "pin", productId: productIds[0], ref: "r5" });
    expect(await errorFor(client, "r5")).toMatchObject({ code: "forbidden" });
    // Still connected: a comment goes through.
    client.send({ type: "comment", body: "还在吗" });
    expect(await client.nextOfType("comment")).toMatchObject({ comment: { body: "还在吗" } });
    expect(client.closed).toBeNull();
  });
});

describe("comments and moderation", () => {
  it("broadcasts comments, filters the room's keywords and rate-limits each person", async () => {
    const { id, hostClient } = await room(["加微信"]);
    const { who, client } = await viewer(id, "小美");
    client.send({ type: "comment", body: "这个色号好看!" });
    const seen = await hostClient.nextOfType("comment");
    expect(seen).toMatchObject({ comment: { identity: who.id, name: "小美", body: "这个色号好看!", role: "viewer" } });
    expect(typeof seen.seq).toBe("number");

    client.send({ type: "comment", body: "便宜 加微信 xxx", ref: "spam" });
    expect(await errorFor(client, "spam")).toMatchObject({ code: "comment_filtered" });

    for (let i = 0; i < RATE_LIMIT.count; i++) client.send({ type: "comment", body: `刷屏 ${i}`, ref: `c${i}` });
    await client.sync();
    const limited = client.frames.filter((f) => f.type === "error" && f.code === "rate_limited");
    // Two were already sent in this window (the filtered one counts too), so the last two are over the limit.
    expect(limited.map((f) => f.ref)).toEqual([`c${RATE_LIMIT.count - 2}`, `c${RATE_LIMIT.count - 1}`]);
  });

  it("the host deletes comments; a moderator mutes, and bans a viewer who then cannot rejoin", async () => {
    const { id, hostClient } = await room();
    const mod = await join(await tokensFor(id, moderator));
    const { who, tokens, client } = await viewer(id, "捣乱的人");

    client.send({ type: "comment", body: "广告广告" });
    const comment = (await hostClient.nextOfType("comment")).comment as { id: string };
    hostClient.send({ type: "delete_comment", commentId: comment.id });
    expect(await client.nextOfType("comment_deleted")).toMatchObject({ commentId: comment.id });

    mod.send({ type: "mute", identity: who.id, seconds: 60, ref: "m" });
    expect(await client.nextOfType("muted")).toMatchObject({ type: "muted" });
    client.send({ type: "comment", body: "我被禁言了吗", ref: "after-mute" });
    expect(await errorFor(client, "after-mute")).toMatchObject({ code: "muted" });

    mod.send({ type: "ban", identity: host.id, ref: "b0" });
    expect(await errorFor(mod, "b0")).toMatchObject({ code: "forbidden" });

    mod.send({ type: "ban", identity: who.id, ref: "b1" });
    await client.waitClosed();
    expect(client.closed?.code).toBe(4003);
    const again = await openRoom(tokens);
    expect(again).toBeInstanceOf(Response);
    const refused = again as Response;
    expect(refused.status).toBe(403);
    // The room's own refusal is a problem like any other answer: the shared title, under the request's id.
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    const requestId = refused.headers.get("x-request-id");
    expect(requestId).toMatch(/^req_/);
    expect(await refused.json()).toEqual({
      type: "/docs/problems/forbidden",
      title: problems.forbidden.title,
      status: 403,
      code: "forbidden",
      detail: "You were removed from this live session.",
      requestId,
    });
    // A fresh token does not help either.
    const fresh = await openRoom(await tokensFor(id, who));
    expect((fresh as Response).status).toBe(403);
  });
});

describe("likes and viewers", () => {
  it("aggregates batched likes into totals broadcast by the alarm, never one message per like", async () => {
    const { id, hostClient, stub } = await room();
    const a = await viewer(id);
    const b = await viewer(id);
    await runDurableObjectAlarm(stub);
    const before = hostClient.frames.length;
    // Within each person's allowance (likeBurst), so every like counts.
    for (let i = 0; i < 20; i++) {
      a.client.send({ type: "like", count: 1 });
      b.client.send({ type: "like", count: 1 });
    }
    await a.client.sync();
    await b.client.sync();
    await runDurableObjectAlarm(stub);
    const total = await hostClient.next((f) => f.type === "likes" && f.total === 40, before);
    const likeFrames = hostClient.frames.slice(before).filter((f) => f.type === "likes");
    // 40 like messages; the alarm (at most one flush per 250 ms) coalesces them into a few totals.
    expect(likeFrames.length).toBeLessThanOrEqual(3);
    expect(likeFrames.at(-1)).toEqual(total);
    expect((await stub.snapshot()).likes).toBe(40);
  });

  it("counts one person's likes at most at LIKES_PER_SECOND whatever the frames say, and an honest client's all", async () => {
    const { id, stub } = await room();
    // One person flooding from two sockets: 200 frames of the largest count a frame may carry.
    const flooder = await tokensFor(id, await newShopper("刷赞"));
    const sockets = [await join(flooder), await join(flooder)];
    const honest = await viewer(id);
    const started = Date.now();
    for (let i = 0; i < 100; i++) for (const ws of sockets) ws.send({ type: "like", count: 1000 });
    for (const ws of sockets) await ws.sync();
    const elapsed = Date.now() - started;
    const flooded = (await stub.snapshot()).likes;
    expect(flooded).toBeGreaterThanOrEqual(likeBurst(FLUSH_INTERVAL_MS));
    expect(flooded).toBeLessThanOrEqual(likeBurst(FLUSH_INTERVAL_MS) + Math.ceil((elapsed * LIKES_PER_SECOND) / 1000));
    // Dropped, not refused: no error, and the socket stays open.
    for (const ws of sockets) expect(ws.frames.filter((f) => f.type === "error")).toEqual([]);

    // The storefront's client: one `like {count}` per likeIntervalMs of what was tapped, here as fast as anyone taps.
    const perMessage = (LIKES_PER_SECOND * FLUSH_INTERVAL_MS) / 1000;
    for (let i = 0; i < 8; i++) {
      honest.client.send({ type: "like", count: perMessage });
      await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS));
    }
    await honest.client.sync();
    expect((await stub.snapshot()).likes).toBe(flooded + 8 * perMessage);
  });

  it("counts viewers now, at peak and unique", async () => {
    const { id, hostClient, stub } = await room();
    const a = await viewer(id);
    const b = await viewer(id);
    await runDurableObjectAlarm(stub);
    expect(await hostClient.next((f) => f.type === "viewers" && f.current === 3)).toMatchObject({ peak: 3, unique: 3 });
    b.client.close();
    await b.client.waitClosed();
    // The close reaches the room asynchronously; a ping through another socket orders after it is queued.
    await a.client.sync();
    await runDurableObjectAlarm(stub);
    expect(await hostClient.next((f) => f.type === "viewers" && f.current === 2)).toMatchObject({ peak: 3, unique: 3 });
  });

  it("paces like messages by the audience: every 250 ms in a small room, longer as more watch", async () => {
    const { id } = await room();
    const { client } = await viewer(id);
    const welcome = await client.next((f) => f.type === "welcome");
    expect((welcome.state as { viewers: { likeIntervalMs: number } }).viewers.likeIntervalMs).toBe(FLUSH_INTERVAL_MS);
    // The room's like messages a second stay near 400 however many watch.
    expect([10, 100, 1_000, 10_000].map(likeIntervalMs)).toEqual([250, 250, 2_500, 25_000]);
    // A client that waited long sends its taps in one message.
    client.send({ type: "like", count: 1000, ref: "big" });
    client.send({ type: "like", count: 1001, ref: "too-big" });
    expect(await client.next((f) => f.type === "error")).toMatchObject({ ref: "too-big", code: "invalid_message" });
  });
});

describe("questions and announcements", () => {
  it("viewers ask and upvote (once each), the host answers, announcements reach everyone", async () => {
    const { id, hostClient } = await room();
    const a = await viewer(id);
    const b = await viewer(id);
    a.client.send({ type: "ask", body: "敏感肌能用吗?" });
    const q = (await hostClient.nextOfType("question")).question as { id: string };
    b.client.send({ type: "upvote", questionId: q.id });
    b.client.send({ type: "upvote", questionId: q.id });
    await b.client.sync();
    const updates = hostClient.frames.filter((f) => f.type === "question_updated");
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ question: { id: q.id, upvotes: 1, answered: false } });
    hostClient.send({ type: "answer", questionId: q.id });
    expect(
      await a.client.next((f) => f.type === "question_updated" && (f.question as { answered: boolean }).answered),
    ).toBeTruthy();
    hostClient.send({ type: "announce", body: "8点整开抢!" });
    expect(await b.client.nextOfType("announcement")).toMatchObject({ body: "8点整开抢!", name: "主播" });
  });
});

describe("the pinned product", () => {
  it("pins a shelf product with its live price and stock; off-shelf products are refused", async () => {
    const { id, hostClient } = await room();
    const { client } = await viewer(id);
    hostClient.send({ type: "pin", productId: productIds[0] });
    const pinned = await client.nextOfType("pinned");
    expect(pinned).toMatchObject({
      product: { productId: productIds[0], price: { amount: 9900 }, stockLeft: 40, flashSale: null },
    });
    expect(decodeAttribution((pinned.product as { attribution: string }).attribution)).toMatchObject({
      ok: true,
      attribution: { liveSessionId: id },
    });
    hostClient.send({ type: "pin", productId: "prod_NOTONSHELF", ref: "x" });
    expect(await errorFor(hostClient, "x")).toMatchObject({ code: "not_found" });
    hostClient.send({ type: "unpin" });
    expect(await client.nextOfType("pinned")).toMatchObject({ product: null });
  });
});

describe("sequence numbers and resuming", () => {
  it("numbers every broadcast and replays what a reconnecting client missed", async () => {
    const { id, hostClient } = await room();
    const { tokens, client } = await viewer(id);
    client.send({ type: "comment", body: "第一条" });
    const first = await client.nextOfType("comment");
    client.close();
    await client.waitClosed();
    for (const body of ["第二条", "第三条"]) hostClient.send({ type: "comment", body });
    await hostClient.next((f) => f.type === "comment" && (f.comment as { body: string }).body === "第三条");

    const back = await join(tokens, first.seq);
    await back.sync();
    const replayed = back.frames.filter((f) => f.type !== "welcome" && f.type !== "pong");
    const seqs = replayed.map((f) => f.seq as number);
    expect(seqs[0]).toBe((first.seq as number) + 1);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(replayed.filter((f) => f.type === "comment").map((f) => (f.comment as { body: string }).body)).toEqual([
      "第二条",
      "第三条",
    ]);
  });

  it("tells a client that missed more than the buffer holds to resync from its welcome", async () => {
    const { id, stub } = await room();
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      // A long stream: the buffer keeps only the newest BUFFER_SIZE broadcasts.
      state.storage.sql.exec("INSERT OR REPLACE INTO kv (key, value) VALUES ('seq', ?)", String(BUFFER_SIZE * 3));
      state.storage.sql.exec("DELETE FROM broadcasts");
      state.storage.sql.exec("INSERT INTO broadcasts (seq, frame) VALUES (?, ?)", BUFFER_SIZE * 3, '{"seq":3000}');
    });
    const { tokens } = await viewer(id);
    const late = await join(tokens, 5);
    const resync = await late.next((f) => f.type === "resync");
    expect(resync.seq).toBeGreaterThanOrEqual(BUFFER_SIZE * 3);
    // Nothing from before the gap is replayed.
    expect(late.frames.filter((f) => f.type !== "welcome" && (f.seq ?? BUFFER_SIZE * 3) < BUFFER_SIZE * 3)).toEqual([]);
  });
});

describe("eviction", () => {
  it("keeps comments, likes, bans, the pin and the sequence across an eviction", async () => {
    const { id, hostClient, stub } = await room();
    const { client } = await viewer(id);
    const banned = await viewer(id, "坏人");
    client.send({ type: "comment", body: "驱逐前的评论" });
    client.send({ type: "like", count: 7 });
    await client.sync();
    hostClient.send({ type: "pin", productId: productIds[1] });
    await client.nextOfType("pinned");
    hostClient.send({ type: "ban", identity: banned.who.id });
    await banned.client.waitClosed();
    await runDurableObjectAlarm(stub);
    const seqBefore = Math.max(...client.frames.map((f) => (typeof f.seq === "number" ? f.seq : 0)));

    await evictDurableObject(stub);

    const after = await join(await tokensFor(id, await newShopper()));
    const welcome = after.frames[0] as Frame & { seq: number; state: Record<string, unknown> };
    expect(welcome.seq).toBeGreaterThanOrEqual(seqBefore);
    expect(welcome.state.likes).toBe(7);
    expect((welcome.state.comments as { body: string }[]).map((c) => c.body)).toContain("驱逐前的评论");
    expect(welcome.state.pinned).toMatchObject({ productId: productIds[1] });
    expect(((await openRoom(banned.tokens)) as Response).status).toBe(403);
    after.send({ type: "comment", body: "驱逐后" });
    const next = await after.nextOfType("comment");
    expect(next.seq).toBeGreaterThan(welcome.seq);
  });
});

describe("storage", () => {
  it("numbers each part's migrations on its own, and reads tables made under one numbering for the whole room", async () => {
    const { id, hostClient, stub } = await room();
    hostClient.send({ type: "comment", body: "迁移前的评论" });
    await hostClient.nextOfType("comment");
    const parts = { core: coreMigrations, chat: chatMigrations, shelf: shelfMigrations, timeline: timelineMigrations };
    const versions = (sql: SqlStorage) =>
      Object.fromEntries(Object.keys(parts).map((part) => [part, storagePartVersion(sql, part)]));
    const expected = Object.fromEntries(Object.entries(parts).map(([part, list]) => [part, list.length]));
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      expect(versions(state.storage.sql)).toEqual(expected);
      // Storage as one list numbered for the whole room leaves it: the same tables, no part's version.
      state.storage.sql.exec("DROP TABLE _schema_versions");
      state.storage.sql.exec("CREATE TABLE _schema_version (version INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO _schema_version (version) VALUES (9)");
    });

    await evictDurableObject(stub);

    const after = await join(await tokensFor(id, await newShopper()));
    const welcome = after.frames[0] as Frame & { state: { comments: { body: string }[]; shelf: unknown[] } };
    expect(welcome.state.comments.map((c) => c.body)).toContain("迁移前的评论");
    expect(welcome.state.shelf).toHaveLength(productIds.length);
    await runInDurableObject(stub, (_room: LiveRoom, state) => {
      expect(versions(state.storage.sql)).toEqual(expected);
    });
  });
});

describe("ended sessions", () => {
  it("closes every socket at the end and admits no one after", async () => {
    const { id, hostClient } = await room();
    const { tokens, client } = await viewer(id);
    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    expect(await client.next((f) => f.type === "status")).toMatchObject({
      status: "ended",
    });
    await client.waitClosed();
    await hostClient.waitClosed();
    expect(((await openRoom(tokens)) as Response).status).toBe(409);
    // The room itself holds no socket and knows it has ended.
    expect(await env.LIVE_ROOM.getByName(id).snapshot()).toMatchObject({ status: "ended", viewerCount: 0 });
  });
});
