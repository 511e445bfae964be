import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { storageVersion } from "#shared/storage.ts";
import { demo, demoFlashSaleId, demoFlashSaleQuantity, demoSkuId } from "../../../dev/demo.ts";
import type { FlashSaleStock, SaleTerms } from "../../../workers/checkout/src/flash-sales/flash-sale-stock.ts";
import { flashSaleTerms } from "../sale-terms.ts";
import { as, asMerchant, merchantId, otherMerchantId, shopper, shopperId } from "./callers.ts";
import { call, created, createSale, createSku, ledgerOf, reserve, stockOf } from "./helpers.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://checkout${path}`));

const terms = (allotted: number): SaleTerms => ({
  flashSaleId: "fs_TEST",
  skuId: "sku_TEST",
  allotted,
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  perShopperLimit: 2,
  priceAmount: 100,
  currency: "CNY",
});

describe("GET /v1/flash-sales/{id}", () => {
  it("returns the sale's terms and the stock left in its object", async () => {
    const res = await get(`/v1/flash-sales/${demoFlashSaleId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toMatchObject({
      id: demoFlashSaleId,
      object: "flash_sale",
      merchantId: demo.merchants[1]?.id,
      skuId: demoSkuId(3, 1),
      price: { amount: 4900, currency: "CNY" },
      quantity: demoFlashSaleQuantity,
      stockLeft: demoFlashSaleQuantity,
      perShopperLimit: 2,
      status: "scheduled",
    });
  });

  it("answers 404 for an unknown sale and 400 for a malformed id", async () => {
    expect((await get("/v1/flash-sales/fs_01JZ0000000000000000009999")).status).toBe(404);
    const bad = await get("/v1/flash-sales/prod_123");
    expect(bad.status).toBe(400);
    expect((await bad.json<{ errors: { path: string }[] }>()).errors[0]?.path).toBe("/id");
  });
});

describe("POST /v1/flash-sales", () => {
  // Starting in a minute: the sale is scheduled, not running.
  const body = (skuId: string, extra: Record<string, unknown> = {}) =>
    flashSaleTerms(skuId, {
      quantity: 40,
      startsAt: new Date(Date.now() + 60_000).toISOString(),
      perShopperLimit: 3,
      ...extra,
    });

  it("moves the allotment out of the SKU's stock through the ledger and opens the sale's object", async () => {
    const { skuId } = await createSku({ price: 8900, stock: 100 });
    const res = await call("POST", "/v1/flash-sales", { headers: asMerchant(merchantId), body: body(skuId) });
    const sale = await created<{ id: string }>(res, "/v1/flash-sales");
    expect(sale).toMatchObject({
      object: "flash_sale",
      merchantId,
      skuId,
      quantity: 40,
      stockLeft: 40,
      perShopperLimit: 3,
      status: "scheduled",
      price: { amount: 4900, currency: "CNY" },
      liveSessionId: null,
    });
    expect(await stockOf(skuId)).toBe(60);
    expect(await ledgerOf(skuId)).toEqual([
      { delta: 100, reason: "initial_stock" },
      { delta: -40, reason: "flash_sale_allotment" },
    ]);
    expect(await env.FLASH_SALE_STOCK.getByName(sale.id).snapshot()).toMatchObject({ ok: true, available: 40 });
  });

  it("refuses more than the SKU's stock (409, nothing moved), another merchant's SKU (404), and bad terms (400)", async () => {
    const { skuId } = await createSku({ price: 8900, stock: 10 });
    const tooMany = await call("POST", "/v1/flash-sales", { headers: asMerchant(merchantId), body: body(skuId) });
    expect(tooMany.status).toBe(409);
    expect(await tooMany.json()).toMatchObject({ code: "conflict", errors: [{ path: "/quantity" }] });
    expect(await stockOf(skuId)).toBe(10);
    expect(await ledgerOf(skuId)).toHaveLength(1);

    const foreign = await call("POST", "/v1/flash-sales", {
      headers: asMerchant(otherMerchantId),
      body: body(skuId, { quantity: 1 }),
    });
    expect(foreign.status).toBe(404);

    const cases: [Record<string, unknown>, string][] = [
      [{ price: { amount: 100, currency: "USD" } }, "/price/currency"],
      [{ endsAt: new Date(Date.now() + 30_000).toISOString() }, "/endsAt"],
      [{ quantity: 0 }, "/quantity"],
      [{ perShopperLimit: 0 }, "/perShopperLimit"],
      [{ liveSessionId: "live_01JZ0000000000000000009999" }, "/liveSessionId"],
      [{ colour: "red" }, "/colour"],
    ];
    for (const [extra, path] of cases) {
      const res = await call("POST", "/v1/flash-sales", {
        headers: asMerchant(merchantId),
        body: body(skuId, { quantity: 1, ...extra }),
      });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect((await res.json<{ errors: { path: string }[] }>()).errors.map((e) => e.path)).toContain(path);
    }
  });

  it("needs a merchant with flash_sales:write", async () => {
    const { skuId } = await createSku({ price: 8900, stock: 10 });
    const b = body(skuId, { quantity: 1 });
    expect((await call("POST", "/v1/flash-sales", { body: b })).status).toBe(401);
    const shopperCall = await call("POST", "/v1/flash-sales", {
      headers: as({ type: "shopper", shopperId: "shp_X", sessionId: "s" }),
      body: b,
    });
    expect(shopperCall.status).toBe(401);
    const noScope = await call("POST", "/v1/flash-sales", {
      headers: asMerchant(merchantId, ["catalog:write"]),
      body: b,
    });
    expect(noScope.status).toBe(403);
  });
});

describe("FlashSaleStock", () => {
  it("opens its book once: later opens never reset the stock", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-open-once");
    expect(await stub.open(terms(100))).toMatchObject({ ok: true, allotted: 100, available: 100 });
    await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
      state.storage.sql.exec("UPDATE book SET available = 37, returned = 63");
    });
    expect(await stub.open(terms(999))).toMatchObject({ ok: true, allotted: 100, available: 37 });
  });

  it("migrates its storage in the constructor, once", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-migrated");
    const version = await runInDurableObject(stub, (_obj: FlashSaleStock, state) => storageVersion(state.storage.sql));
    expect(version).toBe(29);
  });

  it("refuses to open a book with no stock, and stays usable", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-invalid");
    expect(await stub.open(terms(0))).toEqual({ ok: false, reason: "invalid_allotment" });
    expect(await stub.open(terms(1.5))).toEqual({ ok: false, reason: "invalid_allotment" });
    expect(await stub.open(terms(3))).toMatchObject({ ok: true, allotted: 3, available: 3 });
  });
});

/** Moves the sale's start (as the clock would) into the past, in libSQL and its object, then runs its alarm. */
async function startNow(saleId: string): Promise<void> {
  const startedAt = Date.now() - 1000;
  await database(env).$client.execute({
    sql: "UPDATE flash_sales SET starts_at = ? WHERE id = ?",
    args: [new Date(startedAt).toISOString(), saleId],
  });
  const stub = env.FLASH_SALE_STOCK.getByName(saleId);
  await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
    state.storage.sql.exec("UPDATE book SET starts_at = ?", startedAt);
  });
  await runDurableObjectAlarm(stub);
}

describe("flash-sale reminders", () => {
  it("tell whoever asked, once, in their inbox when the sale starts; not those who took it back", async () => {
    const sale = await createSale({ startsInMs: 3_600_000 });
    const remind = (who: string, method: "PUT" | "DELETE") =>
      call(method, `/v1/flash-sales/${sale.id}/reminder`, { headers: shopper(who) });
    expect((await remind("r1", "PUT")).status).toBe(204);
    expect((await remind("r1", "PUT")).status).toBe(204);
    expect((await remind("r2", "PUT")).status).toBe(204);
    expect((await remind("r2", "DELETE")).status).toBe(204);
    expect((await call("PUT", `/v1/flash-sales/${sale.id}/reminder`)).status).toBe(401);
    expect(
      (await call("PUT", "/v1/flash-sales/fs_01JZ0000000000000000000000/reminder", { headers: shopper("r1") })).status,
    ).toBe(404);
    const inbox = async () =>
      (
        await database(env).$client.execute({
          sql: "SELECT person_id, kind, link FROM notifications WHERE subject_id = ? ORDER BY person_id",
          args: [sale.id],
        })
      ).rows.map((row) => ({ ...row }));
    // Nothing before the start (the alarm runs early: still nothing).
    await runDurableObjectAlarm(env.FLASH_SALE_STOCK.getByName(sale.id));
    expect(await inbox()).toEqual([]);
    await startNow(sale.id);
    const told = [{ person_id: shopperId("r1"), kind: "flash_sale_started", link: `/v1/flash-sales/${sale.id}` }];
    expect(await inbox()).toEqual(told);
    // Another pass tells no one twice; and once started, asking is too late.
    await runDurableObjectAlarm(env.FLASH_SALE_STOCK.getByName(sale.id));
    expect(await inbox()).toEqual(told);
    const late = await call("PUT", `/v1/flash-sales/${sale.id}/reminder`, { headers: shopper("r3") });
    expect(late.status).toBe(409);
  });
});

describe("reservation idempotency keys", () => {
  it("are kept a day, then forgotten by the alarm", async () => {
    const sale = await createSale();
    const first = await reserve(sale.id, "idem-day", { quantity: 1 }, "day-key");
    expect(first.status).toBe(201);
    // Within the day, the same key with another body is refused.
    expect((await reserve(sale.id, "idem-day", { quantity: 2 }, "day-key")).status).toBe(422);
    const stub = env.FLASH_SALE_STOCK.getByName(sale.id);
    await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
      state.storage.sql.exec("UPDATE attempts SET created_at = ?", Date.now() - 25 * 60 * 60 * 1000);
    });
    await runDurableObjectAlarm(stub);
    const count = await runInDurableObject(
      stub,
      (_obj: FlashSaleStock, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM attempts").one().n,
    );
    expect(count).toBe(0);
  });
});

describe("the benchmark's routes", () => {
  it("are off unless BENCH_NAIVE_RESERVATIONS is true", async () => {
    const naive = await call("POST", `/v1/flash-sales/${demoFlashSaleId}/naive-reservations`, {
      headers: as({ type: "shopper", shopperId: "shp_X", sessionId: "s" }),
      body: { quantity: 1 },
    });
    expect(naive.status).toBe(404);
    const decisions = await call("POST", `/v1/flash-sales/${demoFlashSaleId}/bench-decisions`, {
      headers: asMerchant(merchantId),
      body: { path: "object", attempts: 10, concurrency: 2, shoppers: 5 },
    });
    expect(decisions.status).toBe(404);
  });
});
