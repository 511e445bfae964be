import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demo, demoFlashSaleId, demoFlashSaleQuantity, demoSkuId } from "../../../dev/demo.ts";
import { storageVersion } from "../../../shared/storage.ts";
import type { FlashSaleStock } from "../../../workers/checkout/src/flash-sale-stock.ts";

const get = (path: string) => exports.default.fetch(new Request(`http://checkout${path}`));

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

describe("FlashSaleStock", () => {
  it("opens its book once: later opens never reset the stock", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-open-once");
    expect(await stub.open(100)).toEqual({ ok: true, allotted: 100, available: 100 });
    await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
      state.storage.sql.exec("UPDATE book SET available = 37");
    });
    expect(await stub.open(999)).toEqual({ ok: true, allotted: 100, available: 37 });
  });

  it("migrates its storage in the constructor, once", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-migrated");
    const version = await runInDurableObject(stub, (_obj: FlashSaleStock, state) => storageVersion(state.storage.sql));
    expect(version).toBe(1);
  });

  it("refuses to open a book with no stock, and stays usable", async () => {
    const stub = env.FLASH_SALE_STOCK.getByName("fs-invalid");
    expect(await stub.open(0)).toEqual({ ok: false, reason: "invalid_allotment" });
    expect(await stub.open(1.5)).toEqual({ ok: false, reason: "invalid_allotment" });
    expect(await stub.open(3)).toEqual({ ok: true, allotted: 3, available: 3 });
  });
});
