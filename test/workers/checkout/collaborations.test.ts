// Paid collaborations: a brief's budget (slots × fee) always equals reserved + payable + available in its ledger, and
// two accepts racing for the last slot reserve once (the other is 409 limit_exceeded); a cancelled accepted
// application releases its reservation; an approved note makes the fee payable (by the merchant, or by the cron
// sweep after 7 days) and shows in the creator's earnings; creators see open briefs ranked by their notes' topics; minFollowers is enforced; another
// merchant's brief or application is a 404; the merchant's webhooks and the creator's notifications are sent.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { creators, notes } from "#shared/schema.ts";
import { approveOverdueSubmissions } from "../../../workers/checkout/src/collaboration-applications/application.ts";
import { asCreator, asMerchant } from "./callers.ts";
import { call, createSkus, key, newMerchant } from "./helpers.ts";
import { createEndpoint, eventsReceived, uniqueName } from "./webhooks-helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Brief {
  id: string;
  status: string;
  match: number | null;
  budget: Money;
  reserved: Money;
  payable: Money;
  released: Money;
  available: Money;
}
interface Application {
  id: string;
  status: string;
  noteId: string | null;
  autoApproveAt: string | null;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

async function newCreator(followerCount = 200, topics: string[] = []): Promise<string> {
  const id = newId("cre");
  await database(env).insert(creators).values({ id, name: "合作博主", handle: id.toLowerCase(), followerCount });
  if (topics.length > 0) await publishNote(id, topics);
  return id;
}

async function publishNote(creatorId: string, topics: string[] = []): Promise<string> {
  const id = newId("note");
  await database(env).insert(notes).values({ id, creatorId, title: "合作笔记", body: "好用", images: [], topics });
  return id;
}

async function newBrief(merchant: string, body: Record<string, unknown> = {}): Promise<Brief> {
  const { productId } = await createSkus({ prices: [9_900], stock: 5, owner: merchant });
  const res = await call("POST", "/v1/collaborations", {
    headers: asMerchant(merchant),
    key: key(),
    body: {
      title: "冬季面霜种草",
      brief: "真实使用一周的感受",
      productIds: [productId],
      feePerNote: { amount: 50_000, currency: "CNY" },
      slots: 2,
      deadline: inDays(10),
      ...body,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Brief>();
}

const applyTo = async (briefId: string, creator: string) => {
  const res = await call("POST", `/v1/collaborations/${briefId}/applications`, {
    headers: asCreator(creator),
    key: key(),
    body: { pitch: "我的粉丝爱护肤" },
  });
  return res;
};
const applied = async (briefId: string, creator: string) => {
  const res = await applyTo(briefId, creator);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Application>();
};
const step = (headers: Record<string, string>, id: string, what: string, body?: unknown) =>
  call("POST", `/v1/collaboration-applications/${id}/${what}`, { headers, body });
const brief = async (merchant: string, id: string) =>
  (await call("GET", `/v1/collaborations/${id}`, { headers: asMerchant(merchant) })).json<Brief>();

/** The ledger adds up: what the merchant put in is reserved, payable or still available. */
function addsUp(b: Brief): void {
  expect(b.reserved.amount + b.payable.amount + b.available.amount).toBe(b.budget.amount);
  expect(b.reserved.amount + b.payable.amount).toBeLessThanOrEqual(b.budget.amount);
  expect(b.available.amount).toBeGreaterThanOrEqual(0);
}

describe("collaborations", () => {
  it("reserve, pay and release through the ledger; the last slot goes to exactly one of two concurrent accepts", async () => {
    const merchant = await newMerchant();
    const b = await newBrief(merchant);
    expect(b).toMatchObject({ status: "open", budget: { amount: 100_000 }, available: { amount: 100_000 } });
    const [c1, c2, c3] = [await newCreator(), await newCreator(), await newCreator()];
    const [a1, a2, a3] = [await applied(b.id, c1), await applied(b.id, c2), await applied(b.id, c3)];
    // Once per creator and brief.
    expect((await applyTo(b.id, c1)).status).toBe(409);

    expect((await step(asMerchant(merchant), a1.id, "accept")).status).toBe(200);
    // Accepting again: the application as it is, nothing reserved twice.
    expect((await step(asMerchant(merchant), a1.id, "accept")).status).toBe(200);
    let now = await brief(merchant, b.id);
    expect(now).toMatchObject({ reserved: { amount: 50_000 }, available: { amount: 50_000 } });
    addsUp(now);

    // Two accepts for the one slot left, at once: one wins, the other is 409 limit_exceeded and stays applied.
    const race = await Promise.all([a2.id, a3.id].map((id) => step(asMerchant(merchant), id, "accept")));
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = race.find((r) => r.status === 409);
    expect((await loser?.json<{ code: string }>())?.code).toBe("limit_exceeded");
    now = await brief(merchant, b.id);
    expect(now).toMatchObject({ reserved: { amount: 100_000 }, available: { amount: 0 } });
    addsUp(now);
    const winner = race[0]?.status === 200 ? a2.id : a3.id;
    const waiting = winner === a2.id ? a3.id : a2.id;

    // The winner cancels: its reservation is released, and the waiting one can take the slot.
    const winnerCreator = winner === a2.id ? c2 : c3;
    expect((await step(asCreator(winnerCreator), winner, "cancel")).status).toBe(200);
    now = await brief(merchant, b.id);
    expect(now).toMatchObject({
      reserved: { amount: 50_000 },
      released: { amount: 50_000 },
      available: { amount: 50_000 },
    });
    addsUp(now);
    expect((await step(asMerchant(merchant), waiting, "accept")).status).toBe(200);
    addsUp(await brief(merchant, b.id));

    // c1 submits its own published note; the merchant asks for changes, then approves: the fee is payable.
    const notTheirs = await publishNote(c2);
    expect((await step(asCreator(c1), a1.id, "submission", { noteId: notTheirs })).status).toBe(404);
    const noteId = await publishNote(c1);
    const submitted = await step(asCreator(c1), a1.id, "submission", { noteId });
    expect(submitted.status).toBe(200);
    // The note's cached copies at the edge are dropped: it now carries the paid-partnership label.
    expect(submitted.headers.get("x-zhongcao-purge")).toBe(`/v1/notes/${noteId}`);
    expect(await submitted.json<Application>()).toMatchObject({ status: "submitted", noteId });
    expect((await step(asMerchant(merchant), a1.id, "request-changes", { feedback: "多拍几张" })).status).toBe(200);
    expect((await step(asCreator(c1), a1.id, "submission", { noteId })).status).toBe(200);
    expect((await step(asMerchant(merchant), a1.id, "approve")).status).toBe(200);
    expect((await step(asMerchant(merchant), a1.id, "approve")).status).toBe(200);
    now = await brief(merchant, b.id);
    expect(now).toMatchObject({ reserved: { amount: 50_000 }, payable: { amount: 50_000 }, available: { amount: 0 } });
    addsUp(now);
    // An approved one cannot be cancelled.
    expect((await step(asCreator(c1), a1.id, "cancel")).status).toBe(409);

    const rows = await database(env).$client.execute({
      sql: "SELECT kind, amount FROM collaboration_ledger WHERE collaboration_id = ? ORDER BY id",
      args: [b.id],
    });
    expect(rows.rows.map((r) => [r.kind, r.amount])).toEqual([
      ["reserved", 50_000],
      ["reserved", 50_000],
      ["released", 50_000],
      ["reserved", 50_000],
      ["payable", 50_000],
    ]);
    const inbox = await database(env).$client.execute({
      sql: "SELECT kind FROM notifications WHERE person_id = ? ORDER BY kind",
      args: [c1],
    });
    expect(inbox.rows.map((r) => r.kind)).toEqual(["collaboration_accepted", "collaboration_fee_payable"]);
  });

  it("a submission the merchant leaves for 7 days is approved by the sweep", async () => {
    const merchant = await newMerchant();
    const b = await newBrief(merchant, { slots: 1 });
    const creator = await newCreator();
    const a = await applied(b.id, creator);
    await step(asMerchant(merchant), a.id, "accept");
    const res = await step(asCreator(creator), a.id, "submission", { noteId: await publishNote(creator) });
    const submitted = await res.json<Application>();
    expect(Date.parse(submitted.autoApproveAt ?? "") - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    // Not yet due: the sweep leaves it.
    await approveOverdueSubmissions(database(env));
    expect((await brief(merchant, b.id)).payable.amount).toBe(0);
    await database(env).$client.execute({
      sql: "UPDATE collaboration_applications SET submitted_at = ? WHERE id = ?",
      args: [inDays(-7.01), a.id],
    });
    expect(await approveOverdueSubmissions(database(env))).toBeGreaterThanOrEqual(1);
    const read = await call("GET", `/v1/collaboration-applications/${a.id}`, { headers: asCreator(creator) });
    expect(await read.json<Application>()).toMatchObject({ status: "approved", autoApproveAt: null });
    const now = await brief(merchant, b.id);
    expect(now).toMatchObject({ reserved: { amount: 0 }, payable: { amount: 50_000 } });
    addsUp(now);
    // The creator's earnings show the payable fee, traced to its application.
    const earnings = await call("GET", "/v1/creators/me/earnings", { headers: asCreator(creator) });
    expect(earnings.status).toBe(200);
    const { collaborationFees } = await earnings.json<{
      collaborationFees: { totals: unknown[]; data: { applicationId: string; amount: Money; noteId: string }[] };
    }>();
    expect(collaborationFees.totals).toEqual([{ currency: "CNY", payable: { amount: 50_000, currency: "CNY" } }]);
    expect(collaborationFees.data).toMatchObject([
      { applicationId: a.id, collaborationId: b.id, noteId: submitted.noteId, amount: { amount: 50_000 } },
    ]);
  });

  it("ranks open briefs by the creator's topics, enforces minFollowers, and keeps merchants apart", async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const tag = `护肤${Date.now().toString(36)}`;
    const category = `cat${Date.now().toString(36)}`;
    const creator = await newCreator(150, [tag, category]);
    const small = await newCreator(50);

    const one = await newBrief(merchant, { tags: [tag] });
    const two = await newBrief(merchant, { tags: [tag.toUpperCase()], minFollowers: 100 });
    await database(env).$client.execute({
      sql: "UPDATE products SET category = ? WHERE id IN (SELECT product_id FROM collaboration_products WHERE collaboration_id = ?)",
      args: [category, two.id],
    });
    const none = await newBrief(other, { tags: ["无关"] });
    const closed = await newBrief(merchant, { tags: [tag] });
    await database(env).$client.execute({
      sql: "UPDATE collaborations SET deadline = ? WHERE id = ?",
      args: [inDays(-1), closed.id],
    });

    const first = await call("GET", "/v1/collaborations?limit=2", { headers: asCreator(creator) });
    const page = await first.json<{ data: Brief[]; nextCursor: string }>();
    expect(page.data.map((x) => [x.id, x.match])).toEqual([
      [two.id, 2],
      [one.id, 1],
    ]);
    const next = await call("GET", `/v1/collaborations?limit=1&cursor=${page.nextCursor}`, {
      headers: asCreator(creator),
    });
    expect((await next.json<{ data: Brief[] }>()).data.map((x) => [x.id, x.match])).toEqual([[none.id, 0]]);

    // minFollowers: 50 followers cannot apply to a brief for 100; closed briefs take no applications.
    expect((await applyTo(two.id, small)).status).toBe(409);
    expect((await applyTo(closed.id, creator)).status).toBe(409);
    const a = await applied(two.id, creator);

    // Isolation: the other merchant sees neither the brief nor its applications.
    expect((await call("GET", `/v1/collaborations/${two.id}`, { headers: asMerchant(other) })).status).toBe(404);
    expect(
      (await call("GET", `/v1/collaborations/${two.id}/applications`, { headers: asMerchant(other) })).status,
    ).toBe(404);
    expect((await call("GET", `/v1/collaboration-applications/${a.id}`, { headers: asMerchant(other) })).status).toBe(
      404,
    );
    expect((await step(asMerchant(other), a.id, "accept")).status).toBe(404);
    expect((await step(asCreator(small), a.id, "cancel")).status).toBe(404);
    const theirs = await call("GET", "/v1/collaborations", { headers: asMerchant(other) });
    expect((await theirs.json<{ data: Brief[] }>()).data.map((x) => x.id)).toEqual([none.id]);
    const mine = await call("GET", `/v1/collaborations/${two.id}/applications`, { headers: asMerchant(merchant) });
    expect((await mine.json<{ data: Application[] }>()).data.map((x) => x.id)).toEqual([a.id]);
    for (const [status, ids] of [
      ["applied", [a.id]],
      ["accepted", []],
    ] as const) {
      const only = await call("GET", `/v1/collaborations/${two.id}/applications?status=${status}`, {
        headers: asMerchant(merchant),
      });
      expect((await only.json<{ data: Application[] }>()).data.map((x) => x.id)).toEqual(ids);
    }
    // A creator cannot accept; a merchant key without affiliates:write cannot either.
    expect((await step(asCreator(creator), a.id, "accept")).status).toBe(401);
    expect((await step(asMerchant(merchant, ["affiliates:read"]), a.id, "accept")).status).toBe(403);
    // Another merchant's products cannot be in a brief.
    const { productId } = await createSkus({ prices: [100], stock: 1, owner: other });
    const res = await call("POST", "/v1/collaborations", {
      headers: asMerchant(merchant),
      body: {
        title: "x",
        brief: "y",
        productIds: [productId],
        feePerNote: { amount: 100, currency: "CNY" },
        slots: 1,
        deadline: inDays(1),
      },
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ errors: { path: string }[] }>()).errors[0]?.path).toBe("/productIds/0");
  });

  it("tells the merchant of applications and submissions by webhook", async () => {
    const merchant = await newMerchant();
    const name = uniqueName();
    await createEndpoint(merchant, name, {
      eventTypes: ["collaboration.application.created", "collaboration.submission.created"],
    });
    const b = await newBrief(merchant);
    const creator = await newCreator();
    const a = await applied(b.id, creator);
    await step(asMerchant(merchant), a.id, "accept");
    const noteId = await publishNote(creator);
    await step(asCreator(creator), a.id, "submission", { noteId });
    const got = await eventsReceived(name, 2);
    expect(got.sort((x, y) => x.type.localeCompare(y.type))).toMatchObject([
      { type: "collaboration.application.created", data: { id: a.id, collaborationId: b.id, creatorId: creator } },
      { type: "collaboration.submission.created", data: { id: a.id, noteId, status: "submitted" } },
    ]);
  });
});
