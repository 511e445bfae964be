// Ranking: title and whole-query matches before body matches, then business signals; the operator's weights, and the
// database round trips a search makes as they change. The weights are platform-wide, so this file restores them
// when done (and is the only one that changes them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, ids, operator, type SearchBody, search } from "./client.ts";
import { db, newCreator, newMerchant, newNote, newProduct, uniqueWord } from "./fixtures.ts";

let word: string;
let selling: string;
let plain: string;
let inBody: string;
let popularMerchant: string;

const putRanking = (ranking: Record<string, number>) =>
  call("/v1/search/settings", {
    method: "PUT",
    headers: { ...operator, "content-type": "application/json" },
    body: JSON.stringify({ ranking }),
  });

beforeAll(async () => {
  const merchantId = await newMerchant("排序测试店");
  word = uniqueWord();
  // Created in this order, so without the sales signal `plain` (newer) ranks before `selling`.
  selling = await newProduct({ merchantId, title: `${word} 面霜套装`, description: "滋润" });
  plain = await newProduct({ merchantId, title: `${word} 乳液套装`, description: "清爽" });
  inBody = await newProduct({ merchantId, title: "其他商品", description: `说明里提到 ${word}` });
  popularMerchant = await newMerchant("大店", 5_000_000);
  await db().$client.execute({
    sql: "INSERT INTO search_product_sales (product_id, day, units) VALUES (?, ?, 200)",
    args: [selling, new Date().toISOString().slice(0, 10)],
  });
});

afterAll(async () => {
  await putRanking({});
});

describe("ranking", () => {
  it("puts title matches before body matches, and the better seller first among equals", async () => {
    const body = await search({ q: word });
    expect(ids(body)).toEqual([selling, plain, inBody]);
    const scores = body.data.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("ranks notes by engagement and their creator's followers among equal text matches", async () => {
    const noteWord = uniqueWord();
    const nobody = await newCreator("新人", 10);
    const star = await newCreator("达人", 2_000_000);
    const quiet = await newNote({ creatorId: nobody, title: `${noteWord} 测评`, likeCount: 1 });
    const loved = await newNote({ creatorId: nobody, title: `${noteWord} 心得`, likeCount: 50_000, saveCount: 9_000 });
    const famous = await newNote({ creatorId: star, title: `${noteWord} 分享`, likeCount: 50_000, saveCount: 9_000 });
    expect(ids(await search({ q: noteWord, type: "notes" }))).toEqual([famous, loved, quiet]);
  });

  it("follows the operator's weights: without the sales signal the newer product leads", async () => {
    expect((await putRanking({ sales: 0 })).status).toBe(200);
    expect(ids(await search({ q: word }))).toEqual([plain, selling, inBody]);
    // A merchant's followers count when the operator weighs them heavily.
    const other = await newProduct({ merchantId: popularMerchant, title: `${word} 精华套装` });
    await putRanking({ sales: 0, followers: 50 });
    expect(ids(await search({ q: word }))[0]).toBe(other);
    await putRanking({});
    expect(ids(await search({ q: word }))[0]).toBe(selling);
  });
});

describe("settings", () => {
  it("are the operator's: 401 for anyone else; defaults fill what is not set; bad weights are 400", async () => {
    expect((await call("/v1/search/settings")).status).toBe(401);
    expect((await putRanking({ live: 3 })).status).toBe(200);
    const res = await call("/v1/search/settings", { headers: operator });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const body = (await res.json()) as { ranking: Record<string, number>; defaults: Record<string, number> };
    expect(body.ranking).toEqual({ ...body.defaults, live: 3 });
    expect((await putRanking({ salesHalf: 0 })).status).toBe(400);
    expect((await putRanking({ nonsense: 1 })).status).toBe(400);
    await putRanking({});
  });
});

describe("database round trips", () => {
  const one = /^search-query;dur=\d+(\.\d)?, search;dur=\d+(\.\d)?$/;
  const two = /^search-query;dur=\d+(\.\d)?, search-requery;dur=\d+(\.\d)?, search;dur=\d+(\.\d)?$/;
  const timing = async (q: string) => {
    const res = await call(`/v1/search?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return { timing: res.headers.get("server-timing") ?? "", body: (await res.json()) as SearchBody };
  };

  it("one for a query the lookups change nothing in; a second after new weights, and for a typo", async () => {
    await timing(word);
    expect((await timing(word)).timing).toMatch(one);
    // New weights: the statement built with the old ones is not used, and the answer follows the new ones.
    expect((await putRanking({ sales: 0 })).status).toBe(200);
    const reweighed = await timing(word);
    expect(reweighed.timing).toMatch(two);
    const ahead = (body: SearchBody, a: string, b: string) => ids(body).indexOf(a) < ids(body).indexOf(b);
    expect(ahead(reweighed.body, plain, selling)).toBe(true);
    expect((await timing(word)).timing).toMatch(one);
    await putRanking({});
    await timing(word);
    // A typo (one letter changed) is corrected: the main statement is built again with the correction.
    const typo = await timing(`${word.slice(0, 4)}${word[4] === "x" ? "y" : "x"}${word.slice(5)}`);
    expect(typo.timing).toMatch(two);
    expect(typo.body.query.corrections).not.toEqual({});
    expect(ahead(typo.body, selling, plain)).toBe(true);
  });
});
