// The business figures, every one compared with values worked out by hand from one fixture: two merchants, a
// creator's note, a store's live session, six orders paid over two UTC days (yesterday's paid with the clock set
// back a day while the payment lands), a partial refund, an approved return, and views on both days. Then who may
// read what (another's merchant, session or note is 404), and bad ranges (problem+json `validation_failed`).
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { viewed } from "#shared/analytics.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { creators } from "#shared/schema.ts";
import type { Figures } from "../../../workers/checkout/src/analytics/report.ts";
import { asCreator, asMerchant, operator, shopper } from "./callers.ts";
import { call, cny, createSkus, key, newMerchant, shelvedBy, taggedBy } from "./helpers.ts";
import { checkout, type Order, sandbox } from "./orders.ts";
import { decide, deliver, requestReturn } from "./returns-helpers.ts";

type MoneyFigures = Figures["money"][number];
interface Report {
  object: string;
  scope: { kind: string; id: string };
  from: string;
  to: string;
  totals: Figures;
  days: (Figures & { day: string })[];
}

const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
const range = `from=${yesterday}&to=${today}`;
const run = Math.random().toString(36).slice(2, 7);
const who = (name: string) => `an${run}${name}`;

/** Money figures in CNY, from gmv, orders and refunded (the average rounded as the API rounds it). */
const cnyFigures = (orders: number, gmv: number, refunded: number): MoneyFigures[] =>
  orders === 0 && refunded === 0
    ? []
    : [
        {
          currency: "CNY",
          orders,
          gmv: { amount: gmv, currency: "CNY" },
          averageOrderValue: { amount: orders === 0 ? 0 : Math.round(gmv / orders), currency: "CNY" },
          refunded: { amount: refunded, currency: "CNY" },
        },
      ];

async function read(path: string, headers: Record<string, string>): Promise<Report> {
  const res = await call("GET", `/v1/analytics${path}`, { headers });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Report>();
}

interface World {
  m1: string;
  m2: string;
  creatorId: string;
  noteId: string;
  sessionId: string;
  orders: Record<string, Order>;
}

/** One product of `merchant` at `price` (its SKU's id). */
async function product(merchant: string, price: number) {
  const { productId, skuIds } = await createSkus({ prices: [price], stock: 50, owner: merchant });
  return { productId, skuId: skuIds[0] ?? "" };
}

/** A paid order; `paidAt` set: the payment lands with the clock at that time (the order counts on its day). */
async function order(
  shopperName: string,
  lines: { skuId: string; quantity: number; attribution?: string }[],
  paidAt?: Date,
): Promise<Order> {
  const s = shopper(who(shopperName));
  const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
  for (const line of lines) {
    const res = await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: line });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  const res = await checkout(who(shopperName), cart.id, { paymentProvider: "sandbox" });
  expect(res.status, await res.clone().text()).toBe(201);
  const created = await res.json<Order>();
  if (paidAt) {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(paidAt);
  }
  try {
    const paid = await sandbox(created.payment?.id ?? "", who(shopperName), { outcome: "succeed" });
    expect(paid.status, await paid.clone().text()).toBe(200);
  } finally {
    vi.useRealTimers();
  }
  return created;
}

async function view(subject: { kind: "note" | "live_session"; id: string }, viewer: string, day: string) {
  // The statements the catalog's view beacon and the live Worker's stream tokens run (tested there).
  await database(env).$client.batch(viewed(subject, who(viewer), `${day}T12:00:00.000Z`), "write");
}

async function build(): Promise<World> {
  const db = database(env);
  const m1 = await newMerchant();
  const m2 = await newMerchant();
  const creatorId = newId("cre");
  await db.insert(creators).values({ id: creatorId, name: "分析测试", handle: creatorId.toLowerCase() });
  const p1 = await product(m1, 5_000);
  const p2 = await product(m1, 12_000);
  const p3 = await product(m2, 3_000);
  const { noteId, reference: viaNote } = await taggedBy(p1.productId, creatorId);
  const { liveSessionId: sessionId, reference: viaSession } = await shelvedBy({ merchantId: m1 }, p2.productId);
  const dayA = new Date(`${yesterday}T10:00:00.000Z`);
  const orders: Record<string, Order> = {
    // Yesterday. o1: A, 5000 × 2 through the note (10000 ≥ 9900: no shipping). o2: B, 12000 through the session.
    // o3: A at the other merchant, 3000 + 1000 shipping = 4000, not attributed.
    o1: await order("A", [{ skuId: p1.skuId, quantity: 2, attribution: viaNote }], dayA),
    o2: await order("B", [{ skuId: p2.skuId, quantity: 1, attribution: viaSession }], dayA),
    o3: await order("A", [{ skuId: p3.skuId, quantity: 1 }], dayA),
    // Today. o4: A again, 12000 through the session + 5000 not attributed = 17000. o5: C, 5000 through the note +
    // 1000 shipping = 6000. o6: B again, 5000 × 2 = 10000, not attributed.
    o4: await order("A", [
      { skuId: p2.skuId, quantity: 1, attribution: viaSession },
      { skuId: p1.skuId, quantity: 1 },
    ]),
    o5: await order("C", [{ skuId: p1.skuId, quantity: 1, attribution: viaNote }]),
    o6: await order("B", [{ skuId: p1.skuId, quantity: 2 }]),
  };
  // o2: 3000 of its 12000 refunded, no lines named (the session's line is the whole payment: all 3000 is its).
  const refund = await call("POST", `/v1/orders/${orders.o2?.id}/refunds`, {
    headers: asMerchant(m1),
    key: key(),
    body: { amount: cny(3_000) },
  });
  expect(refund.status, await refund.clone().text()).toBe(201);
  // o5: its note line returned and approved: 5000 refunded, the order returned.
  const o5 = orders.o5?.id ?? "";
  await deliver(o5, m1);
  const ret = await requestReturn(o5, who("C"), { lines: [{ position: 0, quantity: 1 }], reason: "过敏" });
  expect(ret.status, await ret.clone().text()).toBe(201);
  const approved = await decide((await ret.json<{ id: string }>()).id, m1, "approve");
  expect(approved.status, await approved.clone().text()).toBe(200);
  // Views. Yesterday: the note by v1, v2 and v1 again (2); the session by v1 and v3 (2). Today: the note by v1,
  // v2, v3, v4 (4); the session by v2 (1).
  const note = { kind: "note", id: noteId } as const;
  const session = { kind: "live_session", id: sessionId } as const;
  for (const v of ["v1", "v2", "v1"]) await view(note, v, yesterday);
  for (const v of ["v1", "v3"]) await view(session, v, yesterday);
  for (const v of ["v1", "v2", "v3", "v4"]) await view(note, v, today);
  await view(session, "v2", today);
  return { m1, m2, creatorId, noteId, sessionId, orders };
}

let w: World;
beforeAll(async () => {
  w = await build();
}, 120_000);
afterEach(() => vi.useRealTimers());

describe("analytics figures, computed by hand", () => {
  it("a merchant: per day and over the range", async () => {
    const r = await read(`/merchants/me?${range}`, asMerchant(w.m1));
    expect(r).toMatchObject({
      object: "analytics_report",
      scope: { kind: "merchant", id: w.m1 },
      from: yesterday,
      to: today,
    });
    expect(r.days.map((d) => d.day)).toEqual([yesterday, today]);
    // Yesterday: o1 and o2, both attributed; buyers A and B, neither had bought here before; views 2 + 2.
    // Conversion 2 / 4 = 0.5; GMV 10000 + 12000 = 22000, AOV 11000; refunded 3000 (o2's).
    expect(r.days[0]).toEqual({
      day: yesterday,
      orders: 2,
      attributedOrders: 2,
      buyers: 2,
      repeatBuyers: 0,
      returnedOrders: 0,
      noteViews: 2,
      streamViews: 2,
      views: 4,
      conversionRate: 0.5,
      repurchaseRate: 0,
      returnRate: 0,
      money: cnyFigures(2, 22_000, 3_000),
    });
    // Today: o4 (session), o5 (note), o6 (none): 2 attributed of 3; buyers A, C, B, of whom A and B bought here
    // yesterday: repurchase 2 / 3 = 0.6667; o5 returned: 1 / 3 = 0.3333; views 4 + 1, conversion 2 / 5 = 0.4.
    // GMV 17000 + 6000 + 10000 = 33000, AOV 11000; refunded 5000 (o5's return).
    expect(r.days[1]).toEqual({
      day: today,
      orders: 3,
      attributedOrders: 2,
      buyers: 3,
      repeatBuyers: 2,
      returnedOrders: 1,
      noteViews: 4,
      streamViews: 1,
      views: 5,
      conversionRate: 0.4,
      repurchaseRate: 0.6667,
      returnRate: 0.3333,
      money: cnyFigures(3, 33_000, 5_000),
    });
    // The range: 5 orders, 4 attributed; distinct buyers A, B, C (3), repeat A and B (2): 0.6667; returned 1 / 5
    // = 0.2; views 6 + 3 = 9, conversion 4 / 9 = 0.4444; GMV 55000, AOV 11000, refunded 8000.
    expect(r.totals).toEqual({
      orders: 5,
      attributedOrders: 4,
      buyers: 3,
      repeatBuyers: 2,
      returnedOrders: 1,
      noteViews: 6,
      streamViews: 3,
      views: 9,
      conversionRate: 0.4444,
      repurchaseRate: 0.6667,
      returnRate: 0.2,
      money: cnyFigures(5, 55_000, 8_000),
    });
  });

  it("the other merchant: its own order only, no views (conversion undefined)", async () => {
    const r = await read(`/merchants/${w.m2}?${range}&mode=test`, operator);
    // o3: 4000 yesterday, buyer A (new to this merchant, whatever A bought elsewhere).
    const figures = {
      orders: 1,
      attributedOrders: 0,
      buyers: 1,
      repeatBuyers: 0,
      returnedOrders: 0,
      noteViews: 0,
      streamViews: 0,
      views: 0,
      conversionRate: null,
      repurchaseRate: 0,
      returnRate: 0,
      money: cnyFigures(1, 4_000, 0),
    };
    expect(r.totals).toEqual(figures);
    expect(r.days[0]).toEqual({ day: yesterday, ...figures });
    expect(r.days[1]).toMatchObject({ orders: 0, buyers: 0, repurchaseRate: null, returnRate: null, money: [] });
  });

  it("the note and its creator: the note's lines only", async () => {
    // Yesterday: o1's note line 5000 × 2 = 10000, buyer A; views 2: conversion 1 / 2 = 0.5.
    // Today: o5's note line 5000 (the shipping is the merchant's, not the note's), buyer C, returned, refunded
    // 5000; views 4: conversion 1 / 4 = 0.25, return rate 1 / 1.
    // Range: 2 orders, buyers A and C, GMV 15000, AOV 7500, refunded 5000; conversion 2 / 6 = 0.3333; returns 1 / 2.
    const day0 = {
      day: yesterday,
      orders: 1,
      attributedOrders: 1,
      buyers: 1,
      repeatBuyers: 0,
      returnedOrders: 0,
      noteViews: 2,
      streamViews: 0,
      views: 2,
      conversionRate: 0.5,
      repurchaseRate: 0,
      returnRate: 0,
      money: cnyFigures(1, 10_000, 0),
    };
    const day1 = {
      day: today,
      orders: 1,
      attributedOrders: 1,
      buyers: 1,
      repeatBuyers: 0,
      returnedOrders: 1,
      noteViews: 4,
      streamViews: 0,
      views: 4,
      conversionRate: 0.25,
      repurchaseRate: 0,
      returnRate: 1,
      money: cnyFigures(1, 5_000, 5_000),
    };
    const totals = {
      orders: 2,
      attributedOrders: 2,
      buyers: 2,
      repeatBuyers: 0,
      returnedOrders: 1,
      noteViews: 6,
      streamViews: 0,
      views: 6,
      conversionRate: 0.3333,
      repurchaseRate: 0,
      returnRate: 0.5,
      money: cnyFigures(2, 15_000, 5_000),
    };
    for (const path of [`/notes/${w.noteId}`, "/creators/me"]) {
      const r = await read(`${path}?${range}`, asCreator(w.creatorId));
      expect(r.days).toEqual([day0, day1]);
      expect(r.totals).toEqual(totals);
    }
  });

  it("the store's live session: its shelf's lines and its viewers", async () => {
    // Yesterday: o2's 12000, buyer B, 3000 of it refunded (its line is the whole payment); 2 views: 0.5.
    // Today: o4's session line 12000 (not its other line), buyer A (A's first order through the session); 1 view.
    // Range: 2 orders, 2 buyers, GMV 24000, AOV 12000, refunded 3000; conversion 2 / 3 = 0.6667.
    const r = await read(`/live-sessions/${w.sessionId}?${range}`, asMerchant(w.m1));
    expect(r.days.map((d) => [d.orders, d.buyers, d.streamViews, d.conversionRate, d.money])).toEqual([
      [1, 1, 2, 0.5, cnyFigures(1, 12_000, 3_000)],
      [1, 1, 1, 1, cnyFigures(1, 12_000, 0)],
    ]);
    expect(r.totals).toEqual({
      orders: 2,
      attributedOrders: 2,
      buyers: 2,
      repeatBuyers: 0,
      returnedOrders: 0,
      noteViews: 0,
      streamViews: 3,
      views: 3,
      conversionRate: 0.6667,
      repurchaseRate: 0,
      returnRate: 0,
      money: cnyFigures(2, 24_000, 3_000),
    });
    // The merchant's list of its sessions carries the same totals.
    const list = await call("GET", `/v1/analytics/live-sessions?${range}`, { headers: asMerchant(w.m1) });
    const { data } = await list.json<{ data: { id: string; totals: Figures }[] }>();
    expect(data).toEqual([
      expect.objectContaining({ id: w.sessionId, object: "live_session_figures", totals: r.totals }),
    ]);
  });

  it("a payment delivered again counts nothing twice", async () => {
    const before = await read(`/merchants/me?${range}`, asMerchant(w.m1));
    const again = await sandbox(w.orders.o6?.payment?.id ?? "", who("B"), { outcome: "succeed" });
    expect(again.status).toBeLessThan(500);
    expect(await read(`/merchants/me?${range}`, asMerchant(w.m1))).toEqual(before);
  });

  it("a range with no orders is all zeros, one entry a day", async () => {
    const r = await read("/merchants/me?from=2025-02-27&to=2025-03-02", asMerchant(w.m1));
    expect(r.days.map((d) => d.day)).toEqual(["2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02"]);
    expect(r.totals).toMatchObject({ orders: 0, views: 0, conversionRate: null, money: [] });
  });
});

describe("who may read which figures", () => {
  const status = async (path: string, headers: Record<string, string>) =>
    (await call("GET", `/v1/analytics${path}`, { headers })).status;

  it("merchants see their own merchant and their store's sessions; another's is 404", async () => {
    expect(await status(`/merchants/${w.m1}`, asMerchant(w.m1))).toBe(200);
    expect(await status(`/merchants/${w.m2}`, asMerchant(w.m1))).toBe(404);
    expect(await status(`/live-sessions/${w.sessionId}`, asMerchant(w.m2))).toBe(404);
    expect(await status(`/notes/${w.noteId}`, asMerchant(w.m1))).toBe(404);
    expect(await status(`/creators/${w.creatorId}`, asMerchant(w.m1))).toBe(404);
    const other = await call("GET", "/v1/analytics/live-sessions", { headers: asMerchant(w.m2) });
    expect((await other.json<{ data: unknown[] }>()).data).toEqual([]);
  });

  it("a key without analytics:read is 403; no caller or a shopper is 401; the platform is the operator's", async () => {
    const res = await call("GET", "/v1/analytics/merchants/me", { headers: asMerchant(w.m1, ["orders:read"]) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "forbidden", requestId: expect.any(String) });
    expect(await status("/merchants/me", {})).toBe(401);
    expect(await status("/merchants/me", shopper(who("A")))).toBe(401);
    expect(await status("/platform", asMerchant(w.m1))).toBe(403);
    expect(await status("/platform", asCreator(w.creatorId))).toBe(403);
    const platform = await read(`/platform?${range}&mode=test`, operator);
    // Other tests' orders count there too: at least these two merchants'.
    expect(platform.totals.orders).toBeGreaterThanOrEqual(6);
  });

  it("creators see their own figures and notes; another creator's are 404", async () => {
    const stranger = asCreator(newId("cre"));
    expect(await status(`/notes/${w.noteId}`, stranger)).toBe(404);
    expect(await status(`/creators/${w.creatorId}`, stranger)).toBe(404);
    expect(await status(`/live-sessions/${w.sessionId}`, asCreator(w.creatorId))).toBe(404);
    expect(await status(`/creators/${w.creatorId}`, asCreator(w.creatorId))).toBe(200);
    expect(await status(`/notes/${newId("note")}`, operator)).toBe(404);
    expect(await status(`/merchants/${w.m2}`, operator)).toBe(200);
  });
});

describe("date ranges", () => {
  const problem = async (query: string) => {
    const res = await call("GET", `/v1/analytics/merchants/me?${query}`, { headers: asMerchant(w.m1) });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    return res.json<{ code: string; errors: { path: string }[]; requestId: string }>();
  };

  it("from after to, over 366 days, not a date, or an unknown parameter: validation_failed naming the field", async () => {
    expect(await problem("from=2026-03-02&to=2026-03-01")).toMatchObject({
      code: "validation_failed",
      errors: [{ path: "/from" }],
      requestId: expect.any(String),
    });
    // 2025-01-01 .. 2026-01-02 is 367 days; .. 2026-01-01 is 366 and allowed.
    expect(await problem("from=2025-01-01&to=2026-01-02")).toMatchObject({ errors: [{ path: "/from" }] });
    expect(
      (await call("GET", "/v1/analytics/merchants/me?from=2025-01-01&to=2026-01-01", { headers: asMerchant(w.m1) }))
        .status,
    ).toBe(200);
    expect(await problem("from=2026-02-30&to=2026-03-01")).toMatchObject({ errors: [{ path: "/from" }] });
    expect(await problem("to=yesterday")).toMatchObject({ errors: [{ path: "/to" }] });
    expect(await problem("from=2026-13-45&to=2026-03-01")).toMatchObject({ errors: [{ path: "/from" }] });
    expect(await problem("days=7")).toMatchObject({ code: "validation_failed" });
  });

  it("defaults to the 30 days ending today", async () => {
    const r = await read("/merchants/me", asMerchant(w.m1));
    expect(r.to).toBe(today);
    expect(r.days).toHaveLength(30);
    expect(r.totals.orders).toBe(5);
  });
});
