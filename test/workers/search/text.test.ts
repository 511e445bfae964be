// Matching: Chinese substrings of any length, one-character queries, mixed Chinese and English, prefixes, typos;
// the index following writes in their transaction (created, archived, drafted, deleted).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { liveSessionProducts, liveSessions, notes, products } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { ids, search } from "./client.ts";
import { db, newCreator, newMerchant, newNote, newProduct, uniqueWord } from "./fixtures.ts";

let merchantId: string;
/** This file's products, by a short name. */
const made = {} as Record<"bank" | "todo" | "serum" | "cream" | "box", string>;
type Name = keyof typeof made;

beforeAll(async () => {
  merchantId = await newMerchant("文本测试店");
  made.bank = await newProduct({ merchantId, title: "中国农业发展银行联名卡套", category: "stationery" });
  made.todo = await newProduct({ merchantId, title: "待处理文件收纳夹", category: "stationery" });
  made.serum = await newProduct({
    merchantId,
    title: "兰蔻小黑瓶精华 Advanced Génifique Serum",
    brand: "Lancôme",
    category: "skincare",
    description: "肌底精华液，修护屏障。",
  });
  made.cream = await newProduct({
    merchantId,
    title: "兰蔻菁纯面霜 Absolue Soft Cream",
    brand: "Lancôme",
    category: "skincare",
    skus: [{ price: 145000, stock: 3, options: { colour: "玫瑰金" } }],
  });
  made.box = await newProduct({ merchantId, title: "透明抽屉式收纳盒 Clear Drawer Box", category: "home" });
});

const mine = (q: string) => search({ q, merchantId });

// Queries and exactly the products of this file each one finds, in any order.
const finds: Record<string, Name[]> = {
  // Chinese: a two-character word inside a longer run (农业 in 中国农业发展银行, 处理 in 待处理), one character, runs
  // of three or more characters anywhere (trigram), a run no title has by its pieces (兰蔻, 精华), a SKU option.
  农业: ["bank"],
  处理: ["todo"],
  霜: ["cream"],
  纳: ["todo", "box"],
  小黑瓶: ["serum"],
  发展银行: ["bank"],
  兰蔻精华: ["serum"],
  玫瑰金: ["cream"],
  // Mixed and English: both terms needed, the brand (Lancôme, diacritics folded) with the title, word prefixes and
  // inner parts, of one and two letters too.
  "兰蔻 精华": ["serum"],
  兰蔻: ["serum", "cream"],
  "lancome serum": ["serum"],
  "LANCÔME 精华": ["serum"],
  lancome精华: ["serum"],
  ser: ["serum"],
  genif: ["serum"],
  cl: ["box"],
  a: ["serum", "cream"],
  // One typo in words of five letters or more: a transposition is one edit, an edit in the second or third letter
  // counts (the word's first three letters are not the typo's), two edits are too many; none in shorter words.
  lancme: ["serum", "cream"],
  serun: ["serum"],
  "lancme serun": ["serum"],
  sreum: ["serum"],
  sxrum: ["serum"],
  seerum: ["serum"],
  sedum: ["serum"],
  sarun: [],
  soff: [],
};

it.each(Object.entries(finds))("%s finds exactly %j", async (q, names) => {
  expect(ids(await mine(q)).sort()).toEqual(names.map((name) => made[name]).sort());
});

it("highlights the match", async () => {
  const result = await mine("面霜");
  expect(result.data[0]?.highlight.title).toBe("兰蔻菁纯<mark>面霜</mark> Absolue Soft Cream");
});

it("names the correction of a typo, and corrects no exact word", async () => {
  expect((await mine("lancme")).query.corrections.lancme).toContain("lancome");
  expect((await mine("serum")).query.corrections).toEqual({});
});

describe("the demo's operator synonyms (pinyin and initials)", () => {
  it("xiaoheiping, xhp and the product line name find 小黑瓶", async () => {
    const xiaoheiping = demo.products[0]?.id;
    for (const q of ["xiaoheiping", "xhp", "小黑瓶", "Advanced Génifique"]) {
      expect(ids(await search({ q, merchantId: demo.merchants[0]?.id ?? "" })), q).toEqual([xiaoheiping]);
    }
  });
});

describe("the index follows writes in the same transaction", () => {
  const setProduct = (id: string, values: Partial<typeof products.$inferInsert>) =>
    db().update(products).set(values).where(eq(products.id, id));

  it("a product is searchable when created, gone when archived or drafted, back when activated", async () => {
    const word = uniqueWord();
    const id = await newProduct({ merchantId, title: `归档测试 ${word}` });
    expect(ids(await search({ q: word }))).toEqual([id]);
    await setProduct(id, { status: "archived" });
    expect(ids(await search({ q: word }))).toEqual([]);
    await setProduct(id, { status: "active" });
    expect(ids(await search({ q: word }))).toEqual([id]);
    await setProduct(id, { status: "draft" });
    expect(ids(await search({ q: word }))).toEqual([]);
  });

  it("a draft is never found; a title change is found at once", async () => {
    const word = uniqueWord();
    await newProduct({ merchantId, title: `草稿 ${word}`, status: "draft" });
    expect(ids(await search({ q: word }))).toEqual([]);
    const other = uniqueWord();
    const id = await newProduct({ merchantId, title: `改名前 ${other}` });
    const renamed = uniqueWord();
    await setProduct(id, { title: `改名后 ${renamed}` });
    expect(ids(await search({ q: other }))).toEqual([]);
    expect(ids(await search({ q: renamed }))).toEqual([id]);
  });

  it("notes are found by title, body and author; deleted notes are gone", async () => {
    const word = uniqueWord();
    const creatorId = await newCreator(`博主${word}`);
    const id = await newNote({ creatorId, title: "空瓶记录", body: `用完第三瓶 ${word} 的真实感受` });
    const found = await search({ q: word, type: "notes" });
    expect(ids(found)).toEqual([id]);
    expect(found.data[0]).toMatchObject({ object: "note", creatorId });
    expect(found.data[0]?.highlight.snippet).toContain(`<mark>${word}</mark>`);
    expect(ids(await search({ q: word }))).toEqual([]);
    await db().update(notes).set({ status: "deleted" }).where(eq(notes.id, id));
    expect(ids(await search({ q: word, type: "notes" }))).toEqual([]);
  });

  it("live sessions are found, live ones first with liveNow; a product on a live shelf is liveNow", async () => {
    const word = uniqueWord();
    const creatorId = await newCreator();
    const scheduled = newId("live");
    const onAir = newId("live");
    await db()
      .insert(liveSessions)
      .values([
        {
          id: scheduled,
          hostType: "creator",
          creatorId,
          title: `预告 ${word}`,
          scheduledStartAt: "2030-01-01T00:00:00Z",
        },
        {
          id: onAir,
          hostType: "creator",
          creatorId,
          title: `直播中 ${word}`,
          status: "live",
          scheduledStartAt: "2026-01-01T00:00:00Z",
        },
      ]);
    const all = await search({ q: word, type: "live" });
    expect(ids(all)).toEqual([onAir, scheduled]);
    expect(all.data[0]).toMatchObject({ object: "live_session", liveNow: true, status: "live" });
    expect(ids(await search({ q: word, type: "live", liveNow: true }))).toEqual([onAir]);

    const shelved = await newProduct({ merchantId, title: `直播商品 ${word}` });
    const notShelved = await newProduct({ merchantId, title: `普通商品 ${word}` });
    await db().insert(liveSessionProducts).values({ sessionId: onAir, productId: shelved, position: 1 });
    expect(ids(await search({ q: word, liveNow: true }))).toEqual([shelved]);
    expect(ids(await search({ q: word, liveNow: false }))).toEqual([notShelved]);
  });
});
