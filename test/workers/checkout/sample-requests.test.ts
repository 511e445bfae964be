// Samples: a creator asks for a SKU under a plan open to it; the merchant is told, approves, ships (one unit leaves
// the SKU through the ledger as `sample`, the creator is notified) or declines; the creator confirms receipt; the
// request finds the note that fulfils it and is overdue without one; another merchant's or creator's is a 404.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { creators, noteProducts, notes } from "#shared/schema.ts";
import { asCreator, asMerchant } from "./callers.ts";
import { call, createSkus, key, ledgerOf, newMerchant, stockOf } from "./helpers.ts";
import { createEndpoint, eventsReceived, uniqueName } from "./webhooks-helpers.ts";

interface Sample {
  id: string;
  status: string;
  noteDueAt: string | null;
  approvedAt: string | null;
  fulfillingNoteId: string | null;
  overdue: boolean;
}

async function newCreator(): Promise<string> {
  const id = newId("cre");
  await database(env).insert(creators).values({ id, name: "寄样博主", handle: id.toLowerCase(), followerCount: 200 });
  return id;
}

const address = { name: "林小仙", phone: "13800000000", line1: "南京西路 1 号", city: "上海" };
const ask = (creator: string, skuId: string) =>
  call("POST", "/v1/sample-requests", {
    headers: asCreator(creator),
    key: key(),
    body: { skuId, shippingAddress: address, pitch: "我的粉丝都爱面霜" },
  });
const step = (headers: Record<string, string>, id: string, what: string, body?: unknown) =>
  call("POST", `/v1/sample-requests/${id}/${what}`, { headers, body });

describe("sample requests", () => {
  it("go from request to shipment through the ledger, to receipt, and find the note that fulfils them", async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const creator = await newCreator();
    const stranger = await newCreator();
    const { productId, skuIds } = await createSkus({ prices: [5_000], stock: 3, owner: merchant });
    const skuId = skuIds[0] ?? "";
    const name = uniqueName();
    await createEndpoint(merchant, name, { eventTypes: ["sample_request.created"] });

    // No plan open to the creator: refused.
    expect((await ask(creator, skuId)).status).toBe(409);
    await call("POST", "/v1/affiliate-plans", {
      headers: asMerchant(merchant),
      body: { type: "open", productIds: [productId], commissionRateBps: 1_500 },
    });
    const res = await ask(creator, skuId);
    expect(res.status).toBe(201);
    const sample = await res.json<Sample>();
    expect(sample.status).toBe("requested");

    // Isolation: another merchant and another creator see nothing of it.
    expect((await call("GET", `/v1/sample-requests/${sample.id}`, { headers: asMerchant(other) })).status).toBe(404);
    expect((await step(asMerchant(other), sample.id, "approve", {})).status).toBe(404);
    expect((await call("GET", `/v1/sample-requests/${sample.id}`, { headers: asCreator(stranger) })).status).toBe(404);
    const theirs = await call("GET", "/v1/sample-requests", { headers: asMerchant(other) });
    expect((await theirs.json<{ data: Sample[] }>()).data).toEqual([]);
    // Only the merchant ships; a creator cannot approve its own.
    expect((await step(asCreator(creator), sample.id, "approve", {})).status).toBe(401);
    // Not yet approved: no receipt, no shipment.
    expect((await step(asCreator(creator), sample.id, "receipt")).status).toBe(409);
    expect(
      (await step(asMerchant(merchant), sample.id, "ship", { carrier: "顺丰", trackingNumber: "SF1" })).status,
    ).toBe(409);

    const approved = await (await step(asMerchant(merchant), sample.id, "approve", { noteDueDays: 3 })).json<Sample>();
    expect(approved.status).toBe("approved");
    // Shipped: one unit leaves the SKU as a `sample` ledger row; again, nothing more leaves.
    const shipped = await step(asMerchant(merchant), sample.id, "ship", { carrier: "顺丰", trackingNumber: "SF1" });
    expect(shipped.status).toBe(200);
    const afterShip = await shipped.json<Sample>();
    expect(afterShip).toMatchObject({ status: "shipped", overdue: false, fulfillingNoteId: null });
    expect(Date.parse(afterShip.noteDueAt ?? "") - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    expect(
      (await step(asMerchant(merchant), sample.id, "ship", { carrier: "顺丰", trackingNumber: "SF1" })).status,
    ).toBe(200);
    expect(await stockOf(skuId)).toBe(2);
    expect((await ledgerOf(skuId)).filter((r) => r.reason === "sample")).toEqual([{ delta: -1, reason: "sample" }]);
    const inbox = await database(env).$client.execute({
      sql: "SELECT person_id, kind FROM notifications WHERE subject_id = ?",
      args: [sample.id],
    });
    expect(inbox.rows.map((r) => [r.person_id, r.kind])).toEqual([[creator, "sample_shipped"]]);
    expect((await step(asCreator(creator), sample.id, "receipt")).status).toBe(200);

    // Past its due time with no note: overdue, in the merchant's overdue list.
    const db = database(env);
    // (Approved two days ago, due a minute ago.)
    const past = new Date(Date.now() - 60_000).toISOString();
    await db.$client.execute({
      sql: "UPDATE sample_requests SET approved_at = ?, note_due_at = ? WHERE id = ?",
      args: [new Date(Date.now() - 2 * 86_400_000).toISOString(), past, sample.id],
    });
    const overdue = await call("GET", "/v1/sample-requests?overdue=true", { headers: asMerchant(merchant) });
    expect((await overdue.json<{ data: Sample[] }>()).data.map((s) => [s.id, s.status, s.overdue])).toEqual([
      [sample.id, "received", true],
    ]);
    // A note written after approval and by the due time, tagging the product, fulfils it.
    const noteId = newId("note");
    await db.batch([
      db.insert(notes).values({
        id: noteId,
        creatorId: creator,
        title: "样品试用",
        body: "好用",
        images: [],
        createdAt: new Date(Date.now() - 86_400_000).toISOString(),
      }),
      db.insert(noteProducts).values({ noteId, productId }),
    ]);
    const read = await (
      await call("GET", `/v1/sample-requests/${sample.id}`, { headers: asCreator(creator) })
    ).json<Sample>();
    expect(read).toMatchObject({ fulfillingNoteId: noteId, overdue: false });
    const none = await call("GET", "/v1/sample-requests?overdue=true", { headers: asMerchant(merchant) });
    expect((await none.json<{ data: Sample[] }>()).data).toEqual([]);

    const got = await eventsReceived(name, 1);
    expect(got).toMatchObject([
      {
        type: "sample_request.created",
        data: { id: sample.id, creatorId: creator, productId, skuId, status: "requested" },
      },
    ]);
  });

  it("a declined request stays declined; an approved one with no unit left is 409 sold_out and keeps its stock", async () => {
    const merchant = await newMerchant();
    const creator = await newCreator();
    const { productId, skuIds } = await createSkus({ prices: [5_000], stock: 0, owner: merchant });
    const skuId = skuIds[0] ?? "";
    await call("POST", "/v1/affiliate-plans", {
      headers: asMerchant(merchant),
      body: { type: "open", productIds: [productId], commissionRateBps: 1_500 },
    });
    const first = await (await ask(creator, skuId)).json<Sample>();
    expect((await step(asMerchant(merchant), first.id, "decline", { reason: "库存不足" })).status).toBe(200);
    expect((await step(asMerchant(merchant), first.id, "approve", {})).status).toBe(409);

    const second = await (await ask(creator, skuId)).json<Sample>();
    expect((await step(asMerchant(merchant), second.id, "approve", {})).status).toBe(200);
    const res = await step(asMerchant(merchant), second.id, "ship", { carrier: "顺丰", trackingNumber: "SF2" });
    expect(res.status).toBe(409);
    expect((await res.json<{ code: string }>()).code).toBe("sold_out");
    const read = await (
      await call("GET", `/v1/sample-requests/${second.id}`, { headers: asMerchant(merchant) })
    ).json<Sample>();
    expect(read.status).toBe("approved");
    expect(await stockOf(skuId)).toBe(0);

    // The merchant's list: by status, and newest first a page at a time.
    const list = async (query: string) => {
      const res = await call("GET", `/v1/sample-requests?${query}`, { headers: asMerchant(merchant) });
      return res.json<{ data: Sample[]; nextCursor: string | null }>();
    };
    expect((await list("status=declined")).data.map((s) => s.id)).toEqual([first.id]);
    const page = await list("limit=1");
    expect(page.data.map((s) => s.id)).toEqual([second.id]);
    expect((await list(`limit=1&cursor=${page.nextCursor}`)).data.map((s) => s.id)).toEqual([first.id]);
  });
});
