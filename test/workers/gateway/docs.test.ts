// GET /docs: the interactive reference, served whole by the gateway (no other host), over /openapi.json.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "./helpers.ts";

describe("GET /docs", () => {
  it("serves Swagger UI and its assets from the gateway itself, pointed at /openapi.json", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets).toHaveLength(3);
    // Every asset is this gateway's, and answers.
    for (const asset of assets) {
      expect(asset.startsWith("/docs/")).toBe(true);
      const got = await call(asset);
      expect(got.status, asset).toBe(200);
      const body = await got.text();
      if (asset.endsWith("swagger-ui-bundle.js")) expect(body).toContain("SwaggerUIBundle");
      if (asset.endsWith("init.js")) expect(body).toContain('url: "/openapi.json"');
      if (asset.endsWith(".css")) expect(got.headers.get("content-type")).toContain("text/css");
    }
  });
});

describe("GET /docs/problems/{code}", () => {
  it("answers every problem's type link with a page naming its title, status and code", async () => {
    const problem = await (await call("/v1/products?limit=101")).json<{ type: string; code: string }>();
    expect(problem.type).toBe("/docs/problems/validation_failed");
    const res = await call(problem.type);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("<h1>Validation failed</h1>");
    expect(html).toContain("HTTP 400");
    const unknown = await call("/docs/problems/no_such_code");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("GET /openapi.json's servers", () => {
  it("is relative, never the Host a client sent", async () => {
    const res = await exports.default.fetch(
      new Request("http://evil.example/openapi.json", { headers: { host: "evil.example" } }),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text).servers).toEqual([{ url: "/" }]);
    expect(text.includes("evil.example")).toBe(false);
  });
});

describe("GET /openapi.json's patterns", () => {
  it("are each a regular expression's source alone, never with /flags after it", async () => {
    const doc = await (await exports.default.fetch(new Request("http://gateway/openapi.json"))).json();
    const patterns: string[] = [];
    JSON.stringify(doc, (key, value) => {
      if (key === "pattern" && typeof value === "string") patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(50);
    for (const pattern of patterns) {
      expect(pattern, pattern).not.toMatch(/\$\/[a-z]+$/);
      expect(() => new RegExp(pattern, "u"), pattern).not.toThrow();
    }
    // A note's topics, declared with a Unicode regex: a Chinese topic fits the documented pattern.
    type Schemas = Record<string, { properties: Record<string, { items: { pattern: string } }> }>;
    const topics = (doc as { components: { schemas: Schemas } }).components.schemas.NoteCreate?.properties.topics;
    expect(new RegExp(topics?.items.pattern ?? "", "u").test("#口红")).toBe(true);
  });
});

describe("GET /openapi.json's parameters", () => {
  it("are never declared nullable: a path or query value is text, and `?minPrice=null` is refused", async () => {
    const doc = await (await exports.default.fetch(new Request("http://gateway/openapi.json"))).json<{
      paths: Record<string, Record<string, { parameters?: { name: string; schema?: { type?: unknown } }[] }>>;
    }>();
    const nullable = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, op]) =>
        (op.parameters ?? [])
          .filter((p) => {
            const type = p.schema?.type;
            return Array.isArray(type) && type.includes("null");
          })
          .map((p) => `${method.toUpperCase()} ${path} ${p.name}`),
      ),
    );
    expect(nullable).toEqual([]);
    const products = doc.paths["/v1/products"]?.get?.parameters?.find((p) => p.name === "minPrice");
    expect(products?.schema?.type).toBe("integer");
    const res = await exports.default.fetch(new Request("http://gateway/v1/products?minPrice=null"));
    expect(res.status).toBe(400);
  });
});
