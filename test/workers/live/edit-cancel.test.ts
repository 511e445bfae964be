// The host edits a scheduled session (If-Match, the shelf's rules, the room follows) and cancels it: tokens and the
// room then answer session_cancelled, those in the room are let go, and nothing moves it again.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { media } from "#shared/schema.ts";
import { call, db, join, newCreator, newMerchant, newProduct, newShopper, scheduled, tokensFor } from "./helpers.ts";

const path = (id: string) => `/v1/live/sessions/${id}`;

/** A problem answer's status and code. */
async function problemOf(res: Response): Promise<{ status: number; code: string }> {
  return { status: res.status, code: (await res.json<{ code: string }>()).code };
}

async function etagOf(id: string): Promise<string> {
  const res = await call("GET", path(id));
  expect(res.status).toBe(200);
  return res.headers.get("etag") ?? "";
}

describe("PATCH /v1/live/sessions/{id}", () => {
  it("edits title, cover, start time and shelf with If-Match; the room's shelf follows; a stale ETag is 412", async () => {
    const host = await newCreator();
    const merchant = await newMerchant();
    const [a, b, c] = [await newProduct(merchant.id), await newProduct(merchant.id), await newProduct(merchant.id)];
    const { id } = await scheduled(host, { productIds: [a, b] });
    const shopper = await newShopper();
    const viewer = await join(await tokensFor(id, shopper));
    const before = await etagOf(id);
    const startsAt = new Date(Date.now() + 7_200_000).toISOString();
    const res = await call("PATCH", path(id), {
      as: host,
      headers: { "if-match": before },
      body: {
        title: "改期：周末专场",
        coverUrl: "https://img.example.com/cover.jpg",
        scheduledStartAt: startsAt,
        productIds: [c, a],
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      title: "改期：周末专场",
      coverUrl: "https://img.example.com/cover.jpg",
      scheduledStartAt: startsAt,
      productIds: [c, a],
      status: "scheduled",
    });
    const after = res.headers.get("etag");
    expect(after).not.toBe(before);
    expect(await etagOf(id)).toBe(after);

    const stale = await call("PATCH", path(id), { as: host, headers: { "if-match": before }, body: { title: "x" } });
    expect(await problemOf(stale)).toEqual({ status: 412, code: "precondition_failed" });

    // Without If-Match the current version is edited; null removes the cover.
    const uncovered = await call("PATCH", path(id), { as: host, body: { coverUrl: null } });
    expect((await uncovered.json<{ coverUrl: string | null }>()).coverUrl).toBeNull();

    // A newcomer to the room sees the new shelf.
    const late = await join(await tokensFor(id, await newShopper()));
    const { state } = await late.next((f) => f.type === "welcome");
    expect((state as { shelf: { productId: string }[] }).shelf.map((s) => s.productId)).toEqual([c, a]);
    viewer.close();
    late.close();
  }, 20_000); // the file's first test starts the Worker cold: on a busy machine, past the default 5 s

  it("refuses what the schedule refuses, another host's session, and any edit once live", async () => {
    const host = await newCreator();
    const closed = await newMerchant({ allowsPromotion: false });
    const { id } = await scheduled(host);
    const bad = await call("PATCH", path(id), { as: host, body: { productIds: [await newProduct(closed.id)] } });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ errors: { path: string }[] }>()).errors[0]?.path).toBe("/productIds/0");
    expect((await call("PATCH", path(id), { as: host, body: { title: "" } })).status).toBe(400);
    expect((await call("PATCH", path(id), { as: host, body: { status: "live" } })).status).toBe(400);
    expect((await call("PATCH", path(id), { as: await newCreator(), body: { title: "mine" } })).status).toBe(404);
    expect((await call("PATCH", path(id), { as: await newShopper(), body: { title: "mine" } })).status).toBe(403);

    expect((await call("POST", `${path(id)}/start`, { as: host })).status).toBe(200);
    const live = await call("PATCH", path(id), { as: host, body: { title: "too late" } });
    expect(await problemOf(live)).toEqual({ status: 409, code: "conflict" });
  });
});

describe("POST /v1/live/sessions/{id}/cancel", () => {
  it("cancels a scheduled session: the waiting room is told and let go, tokens and joins get session_cancelled", async () => {
    const host = await newCreator();
    const { id } = await scheduled(host);
    const shopper = await newShopper();
    // The token path has the live session's metadata cached now; the cancel must replace it.
    const tokens = await tokensFor(id, shopper);
    const waiting = await join(tokens);

    const res = await call("POST", `${path(id)}/cancel`, { as: host });
    expect(res.status).toBe(200);
    expect((await res.json<{ status: string }>()).status).toBe("cancelled");
    expect(await waiting.next((f) => f.type === "status")).toMatchObject({ status: "cancelled" });
    await waiting.waitClosed();

    const token = await call("POST", `${path(id)}/token`, { as: shopper, body: {} });
    expect(await problemOf(token)).toEqual({ status: 409, code: "session_cancelled" });

    const url = new URL(tokens.roomUrl);
    url.protocol = "https:";
    url.searchParams.set("token", tokens.roomToken);
    const rejoin = await call("GET", `${url.pathname}${url.search}`, { headers: { upgrade: "websocket" } });
    expect(await problemOf(rejoin)).toEqual({ status: 409, code: "session_cancelled" });
  });

  it("is idempotent, refuses a live or ended session, and a cancelled one never starts or ends", async () => {
    const host = await newCreator();
    const { id } = await scheduled(host);
    expect((await call("POST", `${path(id)}/cancel`, { as: host })).status).toBe(200);
    expect((await call("POST", `${path(id)}/cancel`, { as: host })).status).toBe(200);
    for (const verb of ["start", "end"]) {
      const res = await call("POST", `${path(id)}/${verb}`, { as: host });
      expect(await problemOf(res)).toEqual({ status: 409, code: "session_cancelled" });
    }
    expect((await call("POST", `${path(id)}/cancel`, { as: await newCreator() })).status).toBe(404);

    const { id: live } = await scheduled(host);
    expect((await call("POST", `${path(live)}/start`, { as: host })).status).toBe(200);
    const refused = await call("POST", `${path(live)}/cancel`, { as: host });
    expect(await problemOf(refused)).toEqual({ status: 409, code: "conflict" });
  });

  it("leaves the default list (live and scheduled); status=cancelled lists it", async () => {
    const host = await newCreator();
    const { id } = await scheduled(host);
    expect((await call("POST", `${path(id)}/cancel`, { as: host })).status).toBe(200);
    const ids = async (query: string) =>
      (
        await (await call("GET", `/v1/live/sessions?hostId=${host.id}${query}`)).json<{ data: { id: string }[] }>()
      ).data.map((s) => s.id);
    expect(await ids("")).toEqual([]);
    expect(await ids("&status=cancelled")).toEqual([id]);
  });
});

describe("a session's cover from an upload", () => {
  /** An upload's row as POST /v1/uploads writes it (the bytes are the gateway's concern). */
  async function uploadOf(owner: { type: "creator" | "merchant"; id: string }): Promise<string> {
    const id = newId("med");
    await db().insert(media).values({
      id,
      ownerType: owner.type,
      ownerId: owner.id,
      sourceType: "image/png",
      width: 10,
      height: 10,
      sourceBytes: 99,
    });
    return id;
  }

  it("takes the host's own upload by id and stores its URL; another's upload is a 400 at /coverUrl", async () => {
    const host = await newCreator();
    const other = await newCreator();
    const mine = await uploadOf({ type: "creator", id: host.id });
    const theirs = await uploadOf({ type: "creator", id: other.id });

    const { id } = await scheduled(host, { coverUrl: mine });
    const read = await (await call("GET", path(id))).json<{ coverUrl: string }>();
    expect(read.coverUrl).toBe(`${env.MEDIA_URL}/${mine}/960`);
    const row = await db().query.media.findFirst({ where: eq(media.id, mine) });
    expect(row?.attachedAt).not.toBeNull();

    const refused = await call("PATCH", path(id), { as: host, body: { coverUrl: theirs } });
    expect(await problemOf(refused)).toEqual({ status: 400, code: "validation_failed" });
    const merchant = await newMerchant();
    const merchantsOwn = await uploadOf({ type: "merchant", id: merchant.id });
    const created = await call("POST", "/v1/live/sessions", {
      as: merchant,
      body: {
        title: "品牌专场",
        scheduledStartAt: new Date(Date.now() + 3_600_000).toISOString(),
        coverUrl: merchantsOwn,
      },
    });
    expect(created.status).toBe(201);
    expect((await created.json<{ coverUrl: string }>()).coverUrl).toBe(`${env.MEDIA_URL}/${merchantsOwn}/960`);
  });
});
