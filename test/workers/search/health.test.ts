import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("search Worker", () => {
  it("reports its database as up through the health RPC", async () => {
    const health = await exports.default.health();
    expect(health).toMatchObject({ status: "ok", checks: { database: { status: "ok" } } });
  });

  it("answers unknown routes with a problem+json 404", async () => {
    const res = await exports.default.fetch(new Request("http://search/v1/nothing-here"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});
