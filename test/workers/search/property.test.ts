// Whatever a shopper types, search answers 200 (or 400 past 200 characters) and FTS5 syntax in the text keeps no
// meaning: operators, quotes, stars, carets, minus signs, NEAR, column filters and parentheses are literal text.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ids, type SearchBody } from "./client.ts";
import { newMerchant, newProduct, uniqueWord } from "./fixtures.ts";

const syntax = [
  '"',
  '""',
  "*",
  "^",
  "-",
  "+",
  "(",
  ")",
  ":",
  "{",
  "}",
  "AND",
  "OR",
  "NOT",
  "NEAR",
  "NEAR(",
  "title:",
  "body:",
  "{title body}:",
  "rowid",
  "'",
  ";",
  "--",
  "%",
  "_",
  "\\",
  "\u0000",
  "\uFFFD",
];

const syntaxy = fc
  .array(fc.oneof(fc.constantFrom(...syntax), fc.string({ maxLength: 4 })), { maxLength: 12 })
  .map((parts) => parts.join(" "));
const anything = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  syntaxy,
);

async function get(q: string): Promise<Response> {
  return call(`/v1/search?q=${encodeURIComponent(q)}`);
}

let word: string;
let id: string;

beforeAll(async () => {
  word = uniqueWord();
  id = await newProduct({ merchantId: await newMerchant(), title: `属性测试 ${word}` });
});

// Hundreds of requests each: a generous timeout, so a busy machine is not a failure.
describe("any input", () => {
  it("never fails: 200, or 400 for more than 200 characters", async () => {
    await fc.assert(
      fc.asyncProperty(anything, async (q) => {
        const res = await get(q);
        const expected = [...q].length > 200 ? 400 : 200;
        expect(res.status, `q=${JSON.stringify(q)}: ${await res.clone().text()}`).toBe(expected);
        await res.arrayBuffer();
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("cannot widen or negate a search: extra text only ever narrows it, and syntax is no operator", async () => {
    await fc.assert(
      fc.asyncProperty(syntaxy, async (extra) => {
        const res = await get(`${word} ${extra}`);
        expect(res.status).toBe(200);
        const found = ids((await res.json()) as SearchBody);
        // Only this product has the word: anything else found would mean the text widened the query.
        expect(found.every((hit) => hit === id)).toBe(true);
      }),
      { numRuns: 100 },
    );
    for (const q of [`-${word}`, `"${word}"`, `${word}*`, `(${word}`, `^${word}`, `${word}:`, `${word})`]) {
      expect(ids((await (await get(q)).json()) as SearchBody), q).toEqual([id]);
    }
    for (const q of [
      `NOT ${word}`,
      `${word} OR zzzznothing`,
      `${word} AND NOT ${word}x`,
      `title:${word}`,
      `{title}: ${word}`,
    ]) {
      // Operator and column names are words: they must match too, so nothing here is found (nor anything else).
      expect(ids((await (await get(q)).json()) as SearchBody), q).toEqual([]);
    }
  }, 60_000);
});
