// Public reads cached at the edge and purged by writes, end to end through the gateway and the catalog Worker.
import { describe, expect, it } from "vitest";
import { call, merchantWithSku } from "./helpers.ts";

interface Product {
  id: string;
  title: string;
}

/** A new merchant's active product, titled as no other test's (a cached page names it). */
const newProduct = () =>
  merchantWithSku(`缓存测试 Cache ${crypto.randomUUID()}`, { options: { size: "M" }, price: 5900, stock: 5 });

describe("the edge cache", () => {
  it("serves a repeated public read from the cache, and a write purges it at once", async () => {
    const { secret, product } = await newProduct();
    const path = `/v1/products/${product.id}`;
    expect((await call(path)).headers.get("x-cache")).toBe("MISS");
    const hit = await call(path);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect((await hit.json<Product>()).title).toBe(product.title);
    // Each answer still carries its own request id.
    expect(hit.headers.get("x-request-id")).toMatch(/^req_/);

    const patched = await call(path, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...secret },
      body: JSON.stringify({ title: "改名 Renamed" }),
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("x-zhongcao-purge")).toBeNull();
    const fresh = await call(path);
    expect(fresh.headers.get("x-cache")).toBe("MISS");
    expect((await fresh.json<Product>()).title).toBe("改名 Renamed");
  });

  it("answers a cached read with 304 when the reader already holds its ETag", async () => {
    const { product } = await newProduct();
    const path = `/v1/products/${product.id}`;
    const first = await call(path);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"prod_/);
    const hit = await call(path, { headers: { "if-none-match": etag } });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.status).toBe(304);
    expect(hit.headers.get("etag")).toBe(etag);
    expect(hit.headers.get("cache-control")).toContain("public");
    expect(await hit.text()).toBe("");
    // Another tag still gets the cached body.
    const other = await call(path, { headers: { "if-none-match": '"prod_other.v1"' } });
    expect(other.status).toBe(200);
    expect(other.headers.get("x-cache")).toBe("HIT");
    expect((await other.json<Product>()).id).toBe(product.id);
  });

  it("never serves a merchant's private view from the cache, nor stores it", async () => {
    const { secret, product } = await newProduct();
    const own = await call(`/v1/products/${product.id}`, { headers: secret });
    expect(own.status).toBe(200);
    expect(own.headers.get("x-cache")).toBeNull();
    expect(own.headers.get("cache-control")).toContain("no-store");
    // The public read after it is a miss: the private answer was not stored.
    expect((await call(`/v1/products/${product.id}`)).headers.get("x-cache")).toBe("MISS");
  });
});

describe("GET /openapi.json", () => {
  it("merges every Worker's routes into one OpenAPI 3.1 document", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe("3.1.0");
    // One route from each Worker that declares some, and the gateway's own.
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/health",
        "/v1/products",
        "/v1/products/{id}",
        "/v1/skus/{id}/inventory-adjustments",
        "/v1/notes",
        "/v1/flash-sales/{id}",
        "/v1/api-keys",
      ]),
    );
    expect(doc.paths["/v1/products"]).toHaveProperty("post");
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Product", "Money", "Problem"]));
  });
});
