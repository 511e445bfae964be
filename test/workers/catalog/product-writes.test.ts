import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { idempotencyKeys } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { as, asMerchant } from "../principals.ts";

const lancome = demo.merchants[0]?.id ?? "";
const tidy = demo.merchants[2]?.id ?? "";

interface Sku {
  id: string;
  options: Record<string, string>;
  price: { amount: number; currency: string };
  stock?: number;
  inStock: boolean;
}
interface Product {
  id: string;
  status: string;
  title: string;
  merchantId: string;
  skus: Sku[];
}

function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return exports.default.fetch(
    new Request(`http://catalog${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

const serum = (title = "兰蔻极光水 Clarifique Essence") => ({
  title,
  brand: "Lancôme",
  category: "skincare",
  images: ["https://img.example.com/clarifique.jpg"],
  skus: [
    { options: { size: "150ml" }, price: { amount: 64000, currency: "CNY" }, stock: 30 },
    { options: { size: "250ml" }, price: { amount: 98000, currency: "CNY" }, stock: 0 },
  ],
});

async function create(merchantId = lancome, body: unknown = serum()): Promise<{ product: Product; etag: string }> {
  const res = await call("POST", "/v1/products", asMerchant(merchantId), body);
  expect(res.status).toBe(201);
  return { product: await res.json<Product>(), etag: res.headers.get("etag") ?? "" };
}

describe("POST /v1/products", () => {
  it("creates a draft product with its SKUs, stock visible to its merchant only", async () => {
    const { product, etag } = await create();
    expect(product).toMatchObject({ status: "draft", merchantId: lancome, title: "兰蔻极光水 Clarifique Essence" });
    expect(product.skus.map((s) => [s.options.size, s.stock, s.inStock])).toEqual([
      ["150ml", 30, true],
      ["250ml", 0, false],
    ]);
    expect(etag).toMatch(/^"prod_.+\.v1"$/);
    // A draft is invisible to storefronts, visible to its owner.
    expect((await call("GET", `/v1/products/${product.id}`, {})).status).toBe(404);
    const own = await call("GET", `/v1/products/${product.id}`, asMerchant(lancome));
    expect(own.status).toBe(200);
    expect(own.headers.get("cache-control")).toContain("no-store");
  });

  it("needs a merchant key with catalog:write: 401 without one, 403 without the scope", async () => {
    expect((await call("POST", "/v1/products", {}, serum())).status).toBe(401);
    const shopper = as({ type: "shopper", shopperId: "shp_x", sessionId: "s" });
    expect((await call("POST", "/v1/products", shopper, serum())).status).toBe(401);
    const res = await call("POST", "/v1/products", asMerchant(lancome, ["orders:read"]), serum());
    expect(res.status).toBe(403);
    expect((await res.json<{ code: string }>()).code).toBe("forbidden");
  });

  it.each([
    [{ ...serum(), color: "red" }, "/color", "unknown field"],
    [{ ...serum(), title: "" }, "/title", "empty title"],
    [{ ...serum(), skus: [] }, "/skus", "no SKUs"],
    [
      { ...serum(), skus: [{ options: { size: "1" }, price: { amount: 1.5, currency: "CNY" } }] },
      "/skus/0/price/amount",
      "a float price",
    ],
    [
      { ...serum(), skus: [{ options: { size: "1" }, price: { amount: 100, currency: "BTC" } }] },
      "/skus/0/price/currency",
      "an unknown currency",
    ],
    [{ ...serum(), images: ["javascript:alert(1)"] }, "/images/0", "a non-http image"],
  ])("refuses invalid input %#, naming %s", async (body, path, _what) => {
    const res = await call("POST", "/v1/products", asMerchant(lancome), body);
    expect(res.status).toBe(400);
    const problem = await res.json<{ code: string; errors: { path: string }[] }>();
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((e) => e.path)).toContain(path);
  });

  it("refuses SKUs in two currencies or with the same options", async () => {
    const mixed = serum();
    mixed.skus[1] = { options: { size: "250ml" }, price: { amount: 100, currency: "USD" }, stock: 0 };
    expect((await call("POST", "/v1/products", asMerchant(lancome), mixed)).status).toBe(400);
    const twins = serum();
    twins.skus[1] = { options: { size: "150ml" }, price: { amount: 100, currency: "CNY" }, stock: 0 };
    expect((await call("POST", "/v1/products", asMerchant(lancome), twins)).status).toBe(400);
  });

  it("replays a retried create with the same Idempotency-Key instead of creating twice", async () => {
    const headers = { ...asMerchant(lancome), "idempotency-key": `create-${crypto.randomUUID()}` };
    const first = await call("POST", "/v1/products", headers, serum("重试 Retry"));
    const again = await call("POST", "/v1/products", headers, serum("重试 Retry"));
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await again.json<Product>()).id).toBe((await first.json<Product>()).id);
    const other = await call("POST", "/v1/products", headers, serum("另一个 Another"));
    expect(other.status).toBe(422);
    expect((await other.json<{ code: string }>()).code).toBe("idempotency_key_reused");
  });

  it("drops keys past their day as new answers are recorded; keeps the others", async () => {
    const db = database(env);
    const caller = `test:${crypto.randomUUID()}`;
    const day = 24 * 3_600_000;
    const row = (key: string, expiresInMs: number) => ({
      caller,
      key,
      requestHash: "h",
      status: "done" as const,
      responseStatus: 201,
      responseBody: "{}",
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    });
    await db.insert(idempotencyKeys).values([row("old-1", -day), row("old-2", -1000), row("fresh", day)]);
    const headers = { ...asMerchant(lancome), "idempotency-key": `purge-${crypto.randomUUID()}` };
    expect((await call("POST", "/v1/products", headers, serum("清理 Purge"))).status).toBe(201);
    const left = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.caller, caller));
    expect(left).toEqual([{ key: "fresh" }]);
  });
});

describe("PATCH /v1/products/{id}", () => {
  /** Lancôme's PATCH of its product, made on the version `etag` names. */
  const patchIfMatch = (id: string, etag: string, body: unknown) =>
    call("PATCH", `/v1/products/${id}`, { ...asMerchant(lancome), "if-match": etag }, body);

  it("activates a product with If-Match, and refuses a stale ETag with 412", async () => {
    const { product, etag } = await create();
    const res = await patchIfMatch(product.id, etag, { status: "active" });
    expect(res.status).toBe(200);
    const newEtag = res.headers.get("etag");
    expect(newEtag).not.toBe(etag);
    expect((await res.json<Product>()).status).toBe("active");
    const stale = await patchIfMatch(product.id, etag, { title: "x" });
    expect(stale.status).toBe(412);
    expect((await stale.json<{ code: string }>()).code).toBe("precondition_failed");
    // Now public, and revalidation with the current ETag is a 304.
    const pub = await call("GET", `/v1/products/${product.id}`, {});
    expect(pub.status).toBe(200);
    expect(pub.headers.get("cache-control")).toContain("public");
    expect((await call("GET", `/v1/products/${product.id}`, { "if-none-match": newEtag ?? "" })).status).toBe(304);
  });

  it("lets exactly one of two editors holding the same ETag win", async () => {
    const { product, etag } = await create();
    const results = await Promise.all(["A", "B"].map((t) => patchIfMatch(product.id, etag, { title: t })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it("hides another merchant's product behind a 404", async () => {
    const { product } = await create(lancome);
    expect((await call("PATCH", `/v1/products/${product.id}`, asMerchant(tidy), { title: "mine now" })).status).toBe(
      404,
    );
    expect((await call("GET", `/v1/products/${product.id}`, asMerchant(tidy))).status).toBe(404);
    expect(
      (
        await call(
          "POST",
          `/v1/skus/${product.skus[0]?.id}/inventory-adjustments`,
          { ...asMerchant(tidy), "idempotency-key": "k" },
          { delta: 1, reason: "restock" },
        )
      ).status,
    ).toBe(404);
  });
});

describe("inventory through the ledger", () => {
  const adjust = (skuId: string, delta: number, key: string, merchant = lancome) =>
    call(
      "POST",
      `/v1/skus/${skuId}/inventory-adjustments`,
      { ...asMerchant(merchant), "idempotency-key": key },
      { delta, reason: delta > 0 ? "restock" : "damaged" },
    );

  it("needs an Idempotency-Key, and a retried adjustment counts once", async () => {
    const { product } = await create();
    const skuId = product.skus[0]?.id ?? "";
    const missing = await call("POST", `/v1/skus/${skuId}/inventory-adjustments`, asMerchant(lancome), {
      delta: 5,
      reason: "restock",
    });
    expect(missing.status).toBe(400);
    const key = crypto.randomUUID();
    const first = await adjust(skuId, 5, key);
    expect(first.status).toBe(201);
    expect((await first.json<{ stockAfter: number }>()).stockAfter).toBe(35);
    const retry = await adjust(skuId, 5, key);
    expect(retry.status).toBe(201);
    const own = await (await call("GET", `/v1/products/${product.id}`, asMerchant(lancome))).json<Product>();
    expect(own.skus[0]?.stock).toBe(35);
  });

  it("never goes below zero, even under 40 concurrent removals, and the ledger explains the count", async () => {
    const { product } = await create();
    const skuId = product.skus[0]?.id ?? "";
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => adjust(skuId, -1, `take-${i}-${crypto.randomUUID()}`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    const own = await (await call("GET", `/v1/products/${product.id}`, asMerchant(lancome))).json<Product>();
    expect(own.skus[0]?.stock).toBe(0);
    expect(own.skus[0]?.inStock).toBe(false);
    const ledger = await (
      await call("GET", `/v1/skus/${skuId}/inventory-adjustments?limit=100`, asMerchant(lancome))
    ).json<{ data: { delta: number }[] }>();
    expect(ledger.data.reduce((sum, e) => sum + e.delta, 0)).toBe(0);
    expect(ledger.data).toHaveLength(31);
  });

  it("changes the product's ETag when stock changes", async () => {
    const { product, etag } = await create();
    await adjust(product.skus[0]?.id ?? "", 1, crypto.randomUUID());
    const res = await call("GET", `/v1/products/${product.id}`, asMerchant(lancome));
    expect(res.headers.get("etag")).not.toBe(etag);
  });
});

describe("SKUs and filters", () => {
  it("adds a SKU and reprices one; the public list filters by price, brand and stock", async () => {
    const { product, etag } = await create(tidy, {
      title: `筛选测试 Filter ${crypto.randomUUID()}`,
      brand: `Brand-${crypto.randomUUID().slice(0, 8)}`,
      status: "active",
      skus: [{ options: { size: "S" }, price: { amount: 1000, currency: "CNY" }, stock: 0 }],
    });
    const brand = (await (await call("GET", `/v1/products/${product.id}`, {})).json<{ brand: string }>()).brand;
    const added = await call("POST", `/v1/products/${product.id}/skus`, asMerchant(tidy), {
      options: { size: "M" },
      price: { amount: 2000, currency: "CNY" },
      stock: 3,
    });
    expect(added.status).toBe(201);
    const dup = await call("POST", `/v1/products/${product.id}/skus`, asMerchant(tidy), {
      options: { size: "M" },
      price: { amount: 1, currency: "CNY" },
    });
    expect(dup.status).toBe(409);
    const sku = await added.json<Sku>();
    const repriced = await call("PATCH", `/v1/skus/${sku.id}`, asMerchant(tidy), {
      price: { amount: 2500, currency: "CNY" },
    });
    expect((await repriced.json<Sku>()).price.amount).toBe(2500);
    expect((await call("GET", `/v1/products/${product.id}`, { "if-none-match": etag })).status).toBe(200);

    const list = async (q: string) =>
      (
        await (
          await call("GET", `/v1/products?brand=${encodeURIComponent(brand)}&${q}`, {})
        ).json<{ data: Product[] }>()
      ).data.map((p) => p.id);
    expect(await list("")).toEqual([product.id]);
    expect(await list("minPrice=2400&maxPrice=2600")).toEqual([product.id]);
    expect(await list("maxPrice=999")).toEqual([]);
    expect(await list("inStock=true")).toEqual([product.id]);
    expect(await list("inStock=false")).toEqual([]);
    expect(await list("currency=USD")).toEqual([]);
  });

  it("refuses unknown query parameters and a status filter from a storefront", async () => {
    expect((await call("GET", "/v1/products?colour=red", {})).status).toBe(400);
    expect((await call("GET", "/v1/products?status=draft", {})).status).toBe(400);
    const own = await call("GET", "/v1/products?status=draft&limit=100", asMerchant(lancome));
    expect(own.status).toBe(200);
    const body = await own.json<{ data: Product[] }>();
    expect(body.data.every((p) => p.status === "draft" && p.merchantId === lancome)).toBe(true);
  });
});
