// Filters, facets, sorts and cursor pages over a merchant's own products; an empty query browses.
import { beforeAll, describe, expect, it } from "vitest";
import { allPages, call, ids, search } from "./client.ts";
import { db, newMerchant, newProduct, uniqueWord } from "./fixtures.ts";

let merchantId: string;
let word: string;
const made: { id: string; price: number; category: string; brand: string; inStock: boolean; sales: number }[] = [];

beforeAll(async () => {
  merchantId = await newMerchant("筛选测试店");
  word = uniqueWord();
  const specs = [
    { price: 3900, category: "home", brand: "Tidy", stock: 5, sales: 0 },
    { price: 12900, category: "makeup", brand: "Rouge", stock: 0, sales: 40 },
    { price: 8900, category: "makeup", brand: "Rouge", stock: 7, sales: 3 },
    { price: 76000, category: "skincare", brand: "Lumière", stock: 2, sales: 12 },
    { price: 8900, category: "makeup", brand: "Kiss", stock: 1, sales: 0 },
    { price: 145000, category: "skincare", brand: "Lumière", stock: 0, sales: 7 },
    { price: 5900, category: "home", brand: "Tidy", stock: 9, sales: 1 },
  ];
  for (const [i, s] of specs.entries()) {
    const id = await newProduct({
      merchantId,
      title: `筛选商品${i} ${word}`,
      category: s.category,
      brand: s.brand,
      skus: [{ price: s.price, stock: s.stock }],
    });
    made.push({ id, price: s.price, category: s.category, brand: s.brand, inStock: s.stock > 0, sales: s.sales });
  }
  const today = new Date().toISOString().slice(0, 10);
  const old = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
  await db().$client.batch(
    made.flatMap((p) => [
      {
        sql: "INSERT INTO search_product_sales (product_id, day, units) VALUES (?, ?, ?)",
        args: [p.id, today, p.sales],
      },
      // Sales older than 30 days do not count.
      { sql: "INSERT INTO search_product_sales (product_id, day, units) VALUES (?, ?, 1000)", args: [p.id, old] },
    ]),
    "write",
  );
});

describe("filters and facets", () => {
  it("counts categories and brands over every match, not just the page", async () => {
    const body = await search({ q: word, limit: 1 });
    expect(body.totalCount).toBe(7);
    expect(body.data).toHaveLength(1);
    expect(body.facets.category).toEqual([
      { value: "makeup", count: 3 },
      { value: "home", count: 2 },
      { value: "skincare", count: 2 },
    ]);
    expect(body.facets.brand).toEqual(
      [
        { value: "Rouge", count: 2 },
        { value: "Lumière", count: 2 },
        { value: "Tidy", count: 2 },
        { value: "Kiss", count: 1 },
      ].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    );
  });

  it("filters by category, brand, price range, stock and merchant", async () => {
    const expected = (f: (p: (typeof made)[number]) => boolean) => new Set(made.filter(f).map((p) => p.id));
    expect(new Set(ids(await search({ q: word, category: "makeup" })))).toEqual(
      expected((p) => p.category === "makeup"),
    );
    expect(new Set(ids(await search({ q: word, brand: "Lumière" })))).toEqual(expected((p) => p.brand === "Lumière"));
    expect(new Set(ids(await search({ q: word, minPrice: 5000, maxPrice: 13000 })))).toEqual(
      expected((p) => p.price >= 5000 && p.price <= 13000),
    );
    expect(new Set(ids(await search({ q: word, inStock: true })))).toEqual(expected((p) => p.inStock));
    expect(new Set(ids(await search({ q: word, inStock: false })))).toEqual(expected((p) => !p.inStock));
    expect(ids(await search({ q: word, merchantId: "mer_01NOBODY0000000000000000" }))).toEqual([]);
    const combined = await search({ q: word, category: "makeup", inStock: true });
    expect(new Set(ids(combined))).toEqual(expected((p) => p.category === "makeup" && p.inStock));
    expect(combined.facets.category).toEqual([{ value: "makeup", count: 2 }]);
  });

  it("browses with an empty query, filters applied", async () => {
    const body = await search({ q: "", merchantId });
    expect(body.totalCount).toBe(7);
    expect(body.query.q).toBe("");
    expect(new Set(ids(await search({ merchantId, category: "home" })))).toEqual(
      new Set(made.filter((p) => p.category === "home").map((p) => p.id)),
    );
  });
});

describe("sorts and cursor pages", () => {
  it("price_asc and price_desc order by the lowest SKU price, ties by id", async () => {
    const asc = await allPages({ q: word, sort: "price_asc" });
    expect(asc.map((h) => h.id)).toEqual(
      [...made].sort((a, b) => a.price - b.price || a.id.localeCompare(b.id)).map((p) => p.id),
    );
    const desc = await allPages({ q: word, sort: "price_desc" });
    expect(desc.map((h) => h.id)).toEqual(
      [...made].sort((a, b) => b.price - a.price || b.id.localeCompare(a.id)).map((p) => p.id),
    );
  });

  it("sales orders by units sold in the last 30 days; newest by creation", async () => {
    const bySales = await allPages({ q: word, sort: "sales" });
    expect(bySales.map((h) => h.id)).toEqual(
      [...made].sort((a, b) => b.sales - a.sales || b.id.localeCompare(a.id)).map((p) => p.id),
    );
    const newest = await allPages({ q: word, sort: "newest" });
    expect(newest.map((h) => h.id)).toEqual([...made].map((p) => p.id).reverse());
  });

  it("relevance pages cover every match exactly once, in the order of one big page", async () => {
    // Products equal in every signal the ranking test changes the weights of (it runs beside this file).
    const tied = uniqueWord();
    const tiedIds: string[] = [];
    for (let i = 0; i < 5; i++) tiedIds.push(await newProduct({ merchantId, title: `同分商品${i} ${tied}` }));
    const paged = await allPages({ q: tied });
    const whole = await search({ q: tied, limit: 100 });
    expect(paged.map((h) => h.id)).toEqual(ids(whole));
    expect(new Set(paged.map((h) => h.id))).toEqual(new Set(tiedIds));
    expect(paged).toHaveLength(5);
    const browsed = await allPages({ merchantId, q: "", category: "home" });
    expect(browsed.map((h) => h.id).sort()).toEqual(
      made
        .filter((p) => p.category === "home")
        .map((p) => p.id)
        .sort(),
    );
  });

  it("refuses a cursor made for another sort, or made up", async () => {
    const first = await search({ q: word, limit: 2, sort: "price_asc" });
    const other = await call(`/v1/search?q=${word}&sort=sales&cursor=${first.nextCursor}`);
    expect(other.status).toBe(400);
    const madeUp = await call(`/v1/search?q=${word}&cursor=notacursor`);
    expect(madeUp.status).toBe(400);
  });
});
