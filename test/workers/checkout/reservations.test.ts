import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import type { FlashSaleStock } from "../../../workers/checkout/src/flash-sales/flash-sale-stock.ts";
import { shopper, shopperId } from "./callers.ts";
import { call, createSale, key, ledgerOf, reserve, stockOf } from "./helpers.ts";

interface Hold {
  id: string;
  status: string;
  quantity: number;
  expiresAt: string | null;
  position: number | null;
}

const stubOf = (saleId: string) => env.FLASH_SALE_STOCK.getByName(saleId);

async function snapshot(saleId: string) {
  const snap = await stubOf(saleId).snapshot();
  if (!snap.ok) throw new Error("not opened");
  // The buckets always add up to the allotment.
  expect(snap.available + snap.held + snap.committed + snap.returned).toBe(snap.allotted);
  return snap;
}

/** Moves a hold's expiry (or the sale's end) into the past inside the object, as time passing would. */
const expireHolds = (saleId: string) =>
  runInDurableObject(stubOf(saleId), (_o: FlashSaleStock, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE status = 'held'", Date.now() - 1);
  });
const endSale = (saleId: string) =>
  runInDurableObject(stubOf(saleId), (_o: FlashSaleStock, state) => {
    state.storage.sql.exec("UPDATE book SET ends_at = ?", Date.now() - 1);
  });

describe("POST /v1/flash-sales/{id}/reservations", () => {
  it("gives 300 parallel shoppers exactly the 100 units in stock as holds, never more", async () => {
    const sale = await createSale({ quantity: 100, perShopperLimit: 1 });
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => reserve(sale.id, `p${i}`, { quantity: 1 })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(200);
    const refused = responses.find((r) => r.status === 409);
    expect(await refused?.json()).toMatchObject({ code: "sold_out", status: 409 });
    const held = await Promise.all(responses.filter((r) => r.status === 201).map((r) => r.json<Hold>()));
    expect(new Set(held.map((h) => h.id)).size).toBe(100);
    expect(await snapshot(sale.id)).toMatchObject({ available: 0, held: 100, committed: 0 });
  });

  it("keeps the per-shopper limit under concurrency: 20 parallel presses by one shopper, limit 2", async () => {
    const sale = await createSale({ quantity: 50, perShopperLimit: 2 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => reserve(sale.id, "greedy", { quantity: 1 })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(18);
    const refused = responses.find((r) => r.status === 409);
    expect(await refused?.json()).toMatchObject({ code: "limit_exceeded" });
    expect((await snapshot(sale.id)).held).toBe(2);
  });

  it("returns a hold with its expiry, retrievable by its owner only", async () => {
    const sale = await createSale({ perShopperLimit: 2 });
    const before = Date.now();
    const res = await reserve(sale.id, "owner", { quantity: 2 });
    expect(res.status).toBe(201);
    const hold = await res.json<Hold>();
    expect(hold).toMatchObject({
      object: "hold",
      status: "held",
      quantity: 2,
      flashSaleId: sale.id,
      skuId: sale.skuId,
    });
    expect(hold.id).toMatch(/^hold_/);
    expect(res.headers.get("location")).toBe(`/v1/flash-sales/${sale.id}/reservations/${hold.id}`);
    // HOLD_TTL_SECONDS = 600 in wrangler.toml.
    const ttl = Date.parse(hold.expiresAt ?? "") - before;
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThan(610_000);
    const path = `/v1/flash-sales/${sale.id}/reservations/${hold.id}`;
    expect((await call("GET", path, { headers: shopper("owner") })).status).toBe(200);
    expect((await call("GET", path, { headers: shopper("someone-else") })).status).toBe(404);
    expect((await call("GET", path)).status).toBe(401);
  });

  it("replays a retry with the same key, refuses the same key with another body (422)", async () => {
    const sale = await createSale({ perShopperLimit: 2 });
    const k = key();
    const first = await reserve(sale.id, "retry", { quantity: 1 }, k);
    const again = await reserve(sale.id, "retry", { quantity: 1 }, k);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    const other = await reserve(sale.id, "retry", { quantity: 2 }, k);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotency_key_reused" });
    // The same key from another shopper is another request.
    expect((await reserve(sale.id, "retry-2", { quantity: 1 }, k)).status).toBe(201);
    // Ten parallel retries of one press: one hold.
    const k2 = key();
    const storm = await Promise.all(Array.from({ length: 10 }, () => reserve(sale.id, "storm", { quantity: 2 }, k2)));
    const ids = new Set(await Promise.all(storm.map(async (r) => (await r.json<Hold>()).id)));
    expect(ids.size).toBe(1);
    expect((await snapshot(sale.id)).held).toBe(1 + 1 + 2);
    // A refusal is replayed too.
    const k3 = key();
    expect((await reserve(sale.id, "storm", { quantity: 1 }, k3)).status).toBe(409);
    const replayedRefusal = await reserve(sale.id, "storm", { quantity: 1 }, k3);
    expect(replayedRefusal.status).toBe(409);
    expect(replayedRefusal.headers.get("idempotent-replayed")).toBe("true");
  });

  it("refuses bad quantities (0, negative, fractional, a string, over the limit) and a missing key with 400", async () => {
    const sale = await createSale({ perShopperLimit: 2 });
    for (const quantity of [0, -1, 1.5, "1", null, 3, 101]) {
      const res = await reserve(sale.id, "bad", { quantity });
      expect(res.status, String(quantity)).toBe(400);
      expect(await res.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/quantity" }] });
    }
    expect((await reserve(sale.id, "bad", {})).status).toBe(400);
    expect((await reserve(sale.id, "bad", { quantity: 1, extra: true })).status).toBe(400);
    const noKey = await call("POST", `/v1/flash-sales/${sale.id}/reservations`, {
      headers: shopper("bad"),
      body: { quantity: 1 },
    });
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ errors: [{ path: "/headers/idempotency-key" }] });
    const anonymous = await call("POST", `/v1/flash-sales/${sale.id}/reservations`, {
      body: { quantity: 1 },
      key: key(),
    });
    expect(anonymous.status).toBe(401);
    // A 400 is not kept: the same key may be used for the corrected request.
    const k = key();
    expect((await reserve(sale.id, "bad", { quantity: 3 }, k)).status).toBe(400);
    expect((await reserve(sale.id, "bad", { quantity: 1 }, k)).status).toBe(201);
    expect((await snapshot(sale.id)).held).toBe(1);
  });

  it("refuses before the start (sale_not_started) and after the end (sale_ended); 404 for an unknown sale", async () => {
    const later = await createSale({ startsInMs: 3_600_000 });
    const early = await reserve(later.id, "early", { quantity: 1 });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "sale_not_started" });

    const sale = await createSale();
    await endSale(sale.id);
    const late = await reserve(sale.id, "late", { quantity: 1 });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "sale_ended" });

    expect((await reserve("fs_01JZ0000000000000000009999", "x", { quantity: 1 })).status).toBe(404);
  });

  it("releases expired holds through one alarm at the earliest expiry", async () => {
    const sale = await createSale({ quantity: 3, perShopperLimit: 3 });
    const a = await (await reserve(sale.id, "a", { quantity: 2 })).json<Hold>();
    const b = await (await reserve(sale.id, "b", { quantity: 1 })).json<Hold>();
    const alarm = await runInDurableObject(stubOf(sale.id), (_o: FlashSaleStock, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(Date.parse(a.expiresAt ?? ""));
    expect((await reserve(sale.id, "c", { quantity: 1 })).status).toBe(409);

    await expireHolds(sale.id);
    expect(await runDurableObjectAlarm(stubOf(sale.id))).toBe(true);
    expect(await snapshot(sale.id)).toMatchObject({ available: 3, held: 0 });
    const gone = await call("GET", `/v1/flash-sales/${sale.id}/reservations/${a.id}`, { headers: shopper("a") });
    expect(await gone.json()).toMatchObject({ status: "expired" });
    expect(b.status).toBe("held");
    // Running the alarm again changes nothing (idempotent); the units are there to take.
    await runDurableObjectAlarm(stubOf(sale.id));
    expect(await snapshot(sale.id)).toMatchObject({ available: 3, held: 0 });
    expect((await reserve(sale.id, "c", { quantity: 1 })).status).toBe(201);
  });

  it("cancelling releases the units (owner only, idempotent)", async () => {
    const sale = await createSale({ quantity: 1, perShopperLimit: 1 });
    const hold = await (await reserve(sale.id, "x", { quantity: 1 })).json<Hold>();
    const path = `/v1/flash-sales/${sale.id}/reservations/${hold.id}`;
    expect((await call("DELETE", path, { headers: shopper("y") })).status).toBe(404);
    const cancelled = await call("DELETE", path, { headers: shopper("x") });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: "released" });
    expect((await call("DELETE", path, { headers: shopper("x") })).status).toBe(200);
    expect(await snapshot(sale.id)).toMatchObject({ available: 1, held: 0 });
    // The limit counts live holds only: x may reserve again.
    expect((await reserve(sale.id, "x", { quantity: 1 })).status).toBe(201);
  });

  it("keeps holds, limits and idempotency keys across a restart of the object", async () => {
    const sale = await createSale({ quantity: 5, perShopperLimit: 2 });
    const k = key();
    const hold = await (await reserve(sale.id, "r", { quantity: 2 }, k)).json<Hold>();
    await evictDurableObject(stubOf(sale.id));
    expect(await snapshot(sale.id)).toMatchObject({ available: 3, held: 2 });
    const replay = await reserve(sale.id, "r", { quantity: 2 }, k);
    expect((await replay.json<Hold>()).id).toBe(hold.id);
    expect(await (await reserve(sale.id, "r", { quantity: 1 })).json()).toMatchObject({ code: "limit_exceeded" });
    // The alarm survived too.
    await expireHolds(sale.id);
    expect(await runDurableObjectAlarm(stubOf(sale.id))).toBe(true);
    expect(await snapshot(sale.id)).toMatchObject({ available: 5, held: 0 });
  });

  it("lines shoppers up when stock is gone but holds are out, and hands released units over in order", async () => {
    const sale = await createSale({ quantity: 2, perShopperLimit: 2 });
    const first = await (await reserve(sale.id, "w1", { quantity: 2 })).json<Hold>();
    expect((await reserve(sale.id, "w2", { quantity: 1 })).status).toBe(409);
    const w2 = await reserve(sale.id, "w2", { quantity: 1, wait: true });
    expect(w2.status).toBe(202);
    const waiting2 = await w2.json<Hold>();
    expect(waiting2).toMatchObject({ status: "waiting", position: 1, expiresAt: null });
    const waiting3 = await (await reserve(sale.id, "w3", { quantity: 2, wait: true })).json<Hold>();
    const waiting4 = await (await reserve(sale.id, "w4", { quantity: 1, wait: true })).json<Hold>();
    expect(waiting3.position).toBe(2);

    await call("DELETE", `/v1/flash-sales/${sale.id}/reservations/${first.id}`, { headers: shopper("w1") });
    const read = async (id: string, who: string) =>
      (await call("GET", `/v1/flash-sales/${sale.id}/reservations/${id}`, { headers: shopper(who) })).json<Hold>();
    // w2 gets its 1; w3 wants 2 with 1 left, and nobody overtakes it: w4 keeps waiting behind.
    expect(await read(waiting2.id, "w2")).toMatchObject({ status: "held", position: null });
    expect((await read(waiting2.id, "w2")).expiresAt).not.toBeNull();
    expect(await read(waiting3.id, "w3")).toMatchObject({ status: "waiting", position: 1 });
    expect(await read(waiting4.id, "w4")).toMatchObject({ status: "waiting", position: 2 });
    expect(await snapshot(sale.id)).toMatchObject({ available: 1, held: 1, waiting: 3 });
    // A newcomer cannot take the unit the line is waiting for.
    expect((await reserve(sale.id, "w5", { quantity: 1 })).status).toBe(409);

    await expireHolds(sale.id);
    await runDurableObjectAlarm(stubOf(sale.id));
    expect(await read(waiting3.id, "w3")).toMatchObject({ status: "held" });
    expect(await read(waiting4.id, "w4")).toMatchObject({ status: "waiting", position: 1 });
    expect(await snapshot(sale.id)).toMatchObject({ available: 0, held: 2 });
  });

  it("writes counts behind to libSQL and returns unsold units to the SKU through the ledger at the end", async () => {
    const sale = await createSale({ quantity: 10, stock: 10, perShopperLimit: 3 });
    expect(await stockOf(sale.skuId)).toBe(0);
    const held = await (await reserve(sale.id, "e1", { quantity: 3 })).json<Hold>();
    await (await reserve(sale.id, "e2", { quantity: 1 })).json<Hold>();
    const committed = await stubOf(sale.id).commit(held.id, shopperId("e1"), "cart_TEST");
    expect(committed).toMatchObject({ ok: true, hold: { status: "committed" } });

    // The write-behind.
    await runDurableObjectAlarm(stubOf(sale.id));
    const tally = async () =>
      (
        await database(env).$client.execute({
          sql: "SELECT available, held, committed, returned FROM flash_sale_tallies WHERE flash_sale_id = ?",
          args: [sale.id],
        })
      ).rows[0];
    expect({ ...(await tally()) }).toEqual({ available: 6, held: 1, committed: 3, returned: 0 });

    // The end: the 6 unsold come back; the hold still out may yet be paid, so its unit waits for its expiry.
    await endSale(sale.id);
    await runDurableObjectAlarm(stubOf(sale.id));
    expect(await snapshot(sale.id)).toMatchObject({ available: 0, held: 1, committed: 3, returned: 6 });
    expect(await stockOf(sale.skuId)).toBe(6);
    await expireHolds(sale.id);
    await runDurableObjectAlarm(stubOf(sale.id));
    expect(await snapshot(sale.id)).toMatchObject({ available: 0, held: 0, committed: 3, returned: 7 });
    expect(await stockOf(sale.skuId)).toBe(7);
    // Alarms re-run after the end change nothing.
    await runDurableObjectAlarm(stubOf(sale.id));
    expect(await stockOf(sale.skuId)).toBe(7);
    expect(await ledgerOf(sale.skuId)).toEqual([
      { delta: 10, reason: "initial_stock" },
      { delta: -10, reason: "flash_sale_allotment" },
      { delta: 6, reason: "flash_sale_return" },
      { delta: 1, reason: "flash_sale_return" },
    ]);
    expect({ ...(await tally()) }).toEqual({ available: 0, held: 0, committed: 3, returned: 7 });
  });
});
