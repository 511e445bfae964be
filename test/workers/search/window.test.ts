// The speed path: each kind's documents in a rowid range of their own, the columns search ranks and
// facets by kept beside the index, and RANK_WINDOW: an unfiltered relevance search with more matches ranks its
// RANK_WINDOW best text matches (the newest first among equals), counts its facets over them, and counts its
// matches up to COUNT_BOUND; a filter or another sort reaches and counts every match.
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { products } from "#shared/schema.ts";
import { COUNT_BOUND, RANK_WINDOW } from "../../../workers/search/src/search/statement.ts";
import { allPages, call, ids, type SearchBody, search } from "./client.ts";
import { db, newCreator, newMerchant, newNote, newProduct, uniqueWord } from "./fixtures.ts";

const many = RANK_WINDOW + 30;
let word: string;
let merchantId: string;
const inTitle: string[] = [];
const inBody: string[] = [];

async function everyPage(params: Record<string, string | number>): Promise<{ ids: string[]; first: SearchBody }> {
  const first = await search({ ...params, limit: 100 });
  return { ids: (await allPages(params, 100, 10)).map((hit) => hit.id), first };
}

/** Writes product rows a hundred at a time (the index triggers run for each, as for an API write). */
async function insertInHundreds(rows: (typeof products.$inferInsert)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100)
    await db()
      .insert(products)
      .values(rows.slice(i, i + 100));
}

beforeAll(async () => {
  word = uniqueWord();
  merchantId = await newMerchant("窗口测试店");
  // Body matches first (older rows), in a few multi-row inserts: the index triggers index each row.
  const rows = Array.from({ length: many }, (_, i) => ({
    id: newId("prod"),
    merchantId,
    title: `窗口商品 ${i}`,
    description: `说明 ${word} 第${i}件`,
    category: i % 2 === 0 ? "even" : "odd",
    status: "active" as const,
    images: [],
  }));
  await insertInHundreds(rows);
  inBody.push(...rows.map((r) => r.id));
  for (let i = 0; i < 3; i++) inTitle.push(await newProduct({ merchantId, title: `${word} 标题商品 ${i}` }));
  // A note with the word: found by notes searches, never counted among products.
  await newNote({ creatorId: await newCreator("窗口博主"), title: `${word} 笔记` });
});

describe("RANK_WINDOW", () => {
  it("ranks the best text matches (titles, then the newest body matches) and counts every match", async () => {
    const { ids: found, first } = await everyPage({ q: word });
    expect(first.totalCount).toBe(many + 3);
    expect(first.totalIsExact).toBe(true);
    expect(found.slice(0, 3).sort()).toEqual([...inTitle].sort());
    expect(found).toHaveLength(RANK_WINDOW);
    expect(new Set(found).size).toBe(RANK_WINDOW);
    // The body matches ranked are the most recently indexed ones.
    expect(new Set(found.slice(3))).toEqual(new Set(inBody.slice(-(RANK_WINDOW - 3))));
    const counted = first.facets.category?.reduce((sum, f) => sum + f.count, 0);
    expect(counted).toBe(RANK_WINDOW - 3);
  });

  it("a filter or another sort reaches every match, with facets over all of them", async () => {
    const filtered = await everyPage({ q: word, merchantId });
    expect(filtered.first.totalCount).toBe(many + 3);
    expect(new Set(filtered.ids)).toEqual(new Set([...inTitle, ...inBody]));
    expect(filtered.first.facets.category).toEqual([
      { value: "even", count: many / 2 },
      { value: "odd", count: many / 2 },
    ]);
    const newest = await everyPage({ q: word, sort: "newest" });
    expect(newest.ids).toHaveLength(many + 3);
  });

  it("keeps kinds apart: a note with the word is a notes result only", async () => {
    const notes = await search({ q: word, type: "notes" });
    expect(notes.totalCount).toBe(1);
    expect(notes.data[0]?.object).toBe("note");
  });
});

describe("COUNT_BOUND", () => {
  it("an unfiltered relevance search counts up to the bound and says so; a filter counts every match", async () => {
    const countWord = uniqueWord();
    const rows = Array.from({ length: COUNT_BOUND + 1 }, (_, i) => ({
      id: newId("prod"),
      merchantId,
      title: `计数商品 ${countWord} ${i}`,
      status: "active" as const,
      images: [],
    }));
    await insertInHundreds(rows);
    const bounded = await search({ q: countWord });
    expect(bounded).toMatchObject({ totalCount: COUNT_BOUND, totalIsExact: false });
    expect(bounded.data).toHaveLength(20);
    expect(await search({ q: countWord, merchantId })).toMatchObject({
      totalCount: COUNT_BOUND + 1,
      totalIsExact: true,
    });
    expect(await search({ q: countWord, sort: "newest" })).toMatchObject({
      totalCount: COUNT_BOUND + 1,
      totalIsExact: true,
    });
  });
});

describe("signals kept beside the index", () => {
  it("a note's likes and saves rank it as soon as they change", async () => {
    const noteWord = uniqueWord();
    const creatorId = await newCreator("点赞测试博主");
    const older = await newNote({ creatorId, title: `${noteWord} 旧笔记` });
    const newer = await newNote({ creatorId, title: `${noteWord} 新笔记` });
    expect(ids(await search({ q: noteWord, type: "notes" }))).toEqual([newer, older]);
    await db().$client.execute({
      sql: "UPDATE notes SET like_count = 80000, save_count = 20000 WHERE id = ?",
      args: [older],
    });
    expect(ids(await search({ q: noteWord, type: "notes" }))).toEqual([older, newer]);
  });

  it("a product's new category is filtered and faceted at once", async () => {
    const id = inTitle[0] ?? "";
    await db().$client.execute({ sql: "UPDATE products SET category = 'moved' WHERE id = ?", args: [id] });
    const body = await search({ q: word, category: "moved" });
    expect(ids(body)).toEqual([id]);
  });
});

describe("Server-Timing", () => {
  it("tells the database round trips and the search's own time", async () => {
    const res = await call(`/v1/search?q=${encodeURIComponent(word)}`);
    expect(res.status).toBe(200);
    const timing = res.headers.get("server-timing") ?? "";
    // A second round trip when the weights changed since this isolate's last search (ranking.test.ts changes them).
    expect(timing).toMatch(/^search-query;dur=\d+(\.\d)?, (search-requery;dur=\d+(\.\d)?, )?search;dur=\d+(\.\d)?$/);
  });
});
