import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demo, demoSkuId } from "../../../dev/demo.ts";

interface ProductBody {
  id: string;
  object: string;
  status: string;
  title: string;
  skus: {
    id: string;
    options: Record<string, string>;
    price: { amount: number; currency: string };
    inStock: boolean;
  }[];
}
interface ListBody {
  data: ProductBody[];
  nextCursor: string | null;
}
interface ProblemBody {
  code: string;
  status: number;
  requestId: string;
  errors?: { path: string; message: string }[];
}

const get = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://catalog${path}`, init));
const activeDemoIds = demo.products.filter((p) => p.status !== "draft").map((p) => p.id);
const draftId = demo.products.find((p) => p.status === "draft")?.id ?? "";

describe("GET /v1/products", () => {
  it("lists active products newest first, with SKUs priced in integer minor units", async () => {
    const res = await get("/v1/products?limit=100");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("public");
    const body = await res.json<ListBody>();
    const ids = body.data.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(activeDemoIds));
    expect(ids).not.toContain(draftId);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(body.data.every((p) => p.object === "product" && p.status === "active")).toBe(true);
    const serum = body.data.find((p) => p.id === activeDemoIds[0]);
    expect(serum?.skus.map((s) => s.price)).toEqual([
      { amount: 76000, currency: "CNY" },
      { amount: 108000, currency: "CNY" },
      { amount: 170000, currency: "CNY" },
    ]);
  });

  it("pages with opaque cursors, covering every product once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/v1/products?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      const body: ListBody = await res.json();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((p) => p.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(activeDemoIds));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ["limit=0", "/limit"],
    ["limit=101", "/limit"],
    ["limit=abc", "/limit"],
    ["cursor=not-a-cursor", "/cursor"],
  ])("rejects %s with a validation problem naming %s", async (query, path) => {
    const res = await get(`/v1/products?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await res.json<ProblemBody>();
    expect(body.code).toBe("validation_failed");
    expect(body.errors?.map((e) => e.path)).toContain(path);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("GET /v1/products/{id}", () => {
  it("returns the product with every SKU and its stock state", async () => {
    const id = activeDemoIds[2] ?? "";
    const res = await get(`/v1/products/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json<ProductBody>();
    expect(body.id).toBe(id);
    expect(body.title).toContain("完美日记");
    expect(body.skus.map((s) => s.id)).toEqual([demoSkuId(3, 1), demoSkuId(3, 2), demoSkuId(3, 3)]);
    // The third colour has no stock in the demo data.
    expect(body.skus.map((s) => s.inStock)).toEqual([true, true, false]);
  });

  it("answers 404 problem+json for unknown and draft products alike", async () => {
    for (const id of ["prod_01JZ9999999999999999999999", draftId]) {
      const res = await get(`/v1/products/${id}`);
      expect(res.status).toBe(404);
      const body = await res.json<ProblemBody>();
      expect(body.code).toBe("not_found");
      expect(body.status).toBe(404);
    }
  });

  it("rejects an id of another kind before touching the database", async () => {
    const res = await get("/v1/products/ord_123");
    expect(res.status).toBe(400);
    const body = await res.json<ProblemBody>();
    expect(body.errors?.[0]?.path).toBe("/id");
  });

  it("keeps the request id it was handed by the gateway", async () => {
    const res = await get("/v1/products/prod_01JZ9999999999999999999999", {
      headers: { "x-request-id": "req_fromgateway123" },
    });
    expect(res.headers.get("x-request-id")).toBe("req_fromgateway123");
    expect((await res.json<ProblemBody>()).requestId).toBe("req_fromgateway123");
  });
});
