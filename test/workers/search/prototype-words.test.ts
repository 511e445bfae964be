// A query is text, whatever it spells: words that name an object's own properties (`constructor`, `__proto__`,
// `toString`…) are searched and suggested like any other, never a 500.
import { describe, expect, it } from "vitest";
import { call, operator } from "./client.ts";

const words = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf", "constructor 口红"];

describe("a query spelling an object property", () => {
  it("is suggested and searched like any other word", async () => {
    for (const q of words) {
      for (const type of ["products", "notes", "live"]) {
        for (const path of ["/v1/search/suggest", "/v1/search"]) {
          const res = await call(`${path}?q=${encodeURIComponent(q)}&type=${type}`, { headers: operator });
          expect(res.status, `${path} ${q} ${type}: ${await res.clone().text()}`).toBe(200);
        }
      }
    }
  });
});
