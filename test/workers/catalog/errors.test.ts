// The one error mapping every Worker shares (shared/http.ts): a busy database is a 503 to retry, anything
// unexpected a bare `internal` problem; neither shows a stack.
import { LibsqlError } from "@libsql/client/web";
import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "#shared/http.ts";

const app = createApp("test");
const busy = new LibsqlError("SQLITE_BUSY: database is locked", "SQLITE_BUSY");
app.get("/busy", () => {
  throw busy;
});
app.get("/busy-in-query", () => {
  throw new DrizzleQueryError("UPDATE skus SET stock = stock - ?", [1], busy);
});
app.get("/broken", () => {
  throw new TypeError("cannot read properties of undefined (reading 'id')");
});

describe("unexpected errors", () => {
  it("a busy database is 503 service_unavailable with Retry-After, also when a query error wraps it", async () => {
    for (const path of ["/busy", "/busy-in-query"]) {
      const res = await app.request(path);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({
        code: "service_unavailable",
        requestId: expect.stringMatching(/^req_/),
      });
    }
  });

  it("anything else is a bare internal problem: no message, no stack", async () => {
    const res = await app.request("/broken");
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: "internal" });
    expect(body).not.toContain("cannot read");
    expect(body).not.toMatch(/at .*\.ts/);
  });
});
