import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demoFlashSaleId, demoLiveSessionId } from "../../../dev/demo.ts";
import { app } from "../../../workers/gateway/src/index.ts";

const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://gateway${path}`, init));

interface HealthBody {
  status: string;
  database: { status: string; latencyMs: number };
  workers: Record<string, { status: string; checks?: Record<string, { status: string }> }>;
}

describe("GET /health", () => {
  it("is 200 when the database and all four Workers answer over their service bindings", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    const body = await res.json<HealthBody>();
    expect(body.status).toBe("ok");
    expect(body.database.status).toBe("ok");
    expect(Object.keys(body.workers).sort()).toEqual(["catalog", "checkout", "live", "search"]);
    for (const worker of Object.values(body.workers)) expect(worker.status).toBe("ok");
    expect(body.workers.live?.checks?.liveRoom?.status).toBe("ok");
  });

  it("is 503 naming the database when the gateway cannot use it (a revoked token)", async () => {
    const res = await app.request("/health", {}, { ...env, LIBSQL_AUTH_TOKEN: "revoked" });
    expect(res.status).toBe(503);
    const body = await res.json<HealthBody>();
    expect(body.status).toBe("down");
    expect(body.database.status).toBe("down");
    expect(body.workers.catalog?.status).toBe("ok");
  });
});

describe("routing", () => {
  it("sends each /v1 path to the Worker that owns it", async () => {
    const products = await call("/v1/products?limit=1");
    expect(products.status).toBe(200);
    expect((await products.json<{ data: { object: string }[] }>()).data[0]?.object).toBe("product");

    const live = await call(`/v1/live/sessions/${demoLiveSessionId}`);
    expect((await live.json<{ object: string }>()).object).toBe("live_session");

    const sale = await call(`/v1/flash-sales/${demoFlashSaleId}`);
    expect((await sale.json<{ object: string }>()).object).toBe("flash_sale");
  });

  it("carries its request id to the Worker behind it", async () => {
    const res = await call("/v1/products/prod_01JZ9999999999999999999999");
    expect(res.status).toBe(404);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^req_/);
    expect((await res.json<{ requestId: string }>()).requestId).toBe(requestId);
  });

  it("answers unknown routes with a problem+json 404 and a request id", async () => {
    const res = await call("/v2/whatever", { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await res.json<{ code: string; requestId: string; type: string }>();
    expect(body).toMatchObject({ code: "not_found", type: "/docs/problems/not_found" });
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("limits and CORS", () => {
  it("refuses a body over the limit with 413 before any Worker sees it", async () => {
    const big = "x".repeat(Number(env.BODY_LIMIT_BYTES) + 1);
    const res = await call("/v1/products", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect((await res.json<{ code: string }>()).code).toBe("payload_too_large");
  });

  it("allows a configured storefront origin and names the headers it may send", async () => {
    const res = await call("/v1/products", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "idempotency-key",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
  });

  it("lets a storefront's script read the headers the API documents on its answers", async () => {
    const res = await call("/health", { headers: { origin: "http://localhost:3000" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(",");
    for (const name of ["x-request-id", "etag", "location", "retry-after", "ratelimit", "idempotent-replayed"]) {
      expect(exposed, name).toContain(name);
    }
  });

  it("gives no CORS grant to an origin that is not configured", async () => {
    const res = await call("/v1/products?limit=1", { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
