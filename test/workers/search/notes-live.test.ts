// Notes filtered by creator and topic with facets, live sessions by creator, suggestions per type, documents
// re-indexed when their merchant or creator is renamed, and the pinyin of rows written before the index had it.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { creators, liveSessions, merchants, products } from "#shared/schema.ts";
import { call, ids, operator, search } from "./client.ts";
import { db, newCreator, newMerchant, newNote, newProduct, uniqueWord } from "./fixtures.ts";

let creatorId: string;
let other: string;
let word: string;
let skin: string;
let sun: string;
let theirs: string;

beforeAll(async () => {
  word = uniqueWord("nt");
  creatorId = await newCreator();
  other = await newCreator();
  skin = await newNote({ creatorId, title: `油皮护肤 ${word}`, topics: ["护肤", "油皮"], likeCount: 5 });
  sun = await newNote({ creatorId, title: `防晒测评 ${word}`, topics: ["护肤", "防晒"] });
  theirs = await newNote({ creatorId: other, title: `别人的笔记 ${word}`, topics: ["护肤"] });
});

describe("notes", () => {
  it("filter by creator and topic, with topic and creator facets over every match", async () => {
    const all = await search({ q: word, type: "notes" });
    expect(new Set(ids(all))).toEqual(new Set([skin, sun, theirs]));
    expect(all.facets.topic).toEqual([
      { value: "护肤", count: 3 },
      { value: "油皮", count: 1 },
      { value: "防晒", count: 1 },
    ]);
    expect(all.facets.creatorId).toEqual(
      expect.arrayContaining([
        { value: creatorId, count: 2 },
        { value: other, count: 1 },
      ]),
    );
    expect(new Set(ids(await search({ q: word, type: "notes", creatorId })))).toEqual(new Set([skin, sun]));
    expect(ids(await search({ q: word, type: "notes", creatorId, topic: "防晒" }))).toEqual([sun]);
    expect((await call(`/v1/search?q=${word}&type=notes&brand=x`)).status).toBe(400);
  });

  it("suggest offers note titles for type=notes", async () => {
    const res = await call(`/v1/search/suggest?type=notes&q=${word}`);
    const { data } = (await res.json()) as { data: { kind: string; id?: string }[] };
    expect(new Set(data.map((s) => s.id))).toEqual(new Set([skin, sun, theirs]));
    expect(data.every((s) => s.kind === "note")).toBe(true);
  });
});

describe("live sessions", () => {
  it("filter by host creator; suggest offers their titles", async () => {
    const id = newId("live");
    await db()
      .insert(liveSessions)
      .values({ id, hostType: "creator", creatorId, title: `直播 ${word}`, scheduledStartAt: "2030-01-01T00:00:00Z" });
    expect(ids(await search({ q: word, type: "live", creatorId }))).toEqual([id]);
    expect(ids(await search({ q: word, type: "live", creatorId: other }))).toEqual([]);
    const res = await call(`/v1/search/suggest?type=live&q=${word}`);
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ kind: "live_session", id }),
    ]);
    // Cancelled by its host, it is no longer found nor suggested.
    await db().update(liveSessions).set({ status: "cancelled" }).where(eq(liveSessions.id, id));
    expect(ids(await search({ q: word, type: "live", creatorId }))).toEqual([]);
    const after = await call(`/v1/search/suggest?type=live&q=${word}`);
    expect(((await after.json()) as { data: unknown[] }).data).toEqual([]);
  });
});

describe("renames", () => {
  it("a merchant's new name finds its products, the old one no longer does", async () => {
    const before = uniqueWord("mn");
    const after = uniqueWord("mn");
    const merchantId = await newMerchant(`旧店名 ${before}`);
    const id = await newProduct({ merchantId, title: "改名测试商品" });
    expect(ids(await search({ q: before }))).toEqual([id]);
    await db()
      .update(merchants)
      .set({ name: `新店名 ${after}` })
      .where(eq(merchants.id, merchantId));
    expect(ids(await search({ q: before }))).toEqual([]);
    expect(ids(await search({ q: after }))).toEqual([id]);
  });

  it("a creator's new name finds their notes", async () => {
    const after = uniqueWord("cn");
    const author = await newCreator("旧名字博主");
    const id = await newNote({ creatorId: author, title: "改名测试笔记" });
    await db().update(creators).set({ name: after }).where(eq(creators.id, author));
    expect(ids(await search({ q: after, type: "notes" }))).toEqual([id]);
  });
});

describe("pinyin", () => {
  it("POST /v1/search/reindex fills the pinyin of rows written without it (operator only)", async () => {
    const merchantId = await newMerchant();
    const id = await newProduct({ merchantId, title: "春夏秋冬连衣裙" });
    await db().update(products).set({ searchPinyin: null }).where(eq(products.id, id));
    const [full, initials] = searchPinyin("春夏秋冬连衣裙").split(" ");
    expect([full, initials]).toEqual(["chunxiaqiudonglianyiqun", "cxqdlyq"]);
    expect(ids(await search({ q: "chunxia", merchantId }))).toEqual([]);
    expect((await call("/v1/search/reindex", { method: "POST" })).status).toBe(401);
    // Other test files may add rows without pinyin meanwhile: call until this one is done, as an operator would.
    for (let i = 0; i < 20; i++) {
      const res = await call("/v1/search/reindex?limit=1000", { method: "POST", headers: operator });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { object: string; updated: number; remaining: number };
      expect(body.object).toBe("search_reindex");
      if (ids(await search({ q: "chunxia", merchantId })).length > 0 || body.remaining === 0) break;
    }
    for (const q of ["chunxia", "qiudong", "cxqd", "lianyiqun"])
      expect(ids(await search({ q, merchantId })), q).toEqual([id]);
  });
});
