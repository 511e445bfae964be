// Matching: Chinese substrings of any length, one-character queries, mixed Chinese and English, prefixes, typos;
// the index following writes in their transaction (created, archived, drafted, deleted).
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { liveSessionProducts, liveSessions, notes, products } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { db, ids, newCreator, newMerchant, newNote, newProduct, search, uniqueWord } from "./fixtures.ts";

let merchantId: string;
let bank: string;
let todo: string;
let serum: string;
let cream: string;
let box: string;

beforeAll(async () => {
  merchantId = await newMerchant("文本测试店");
  bank = await newProduct({ merchantId, title: "中国农业发展银行联名卡套", category: "stationery" });
  todo = await newProduct({ merchantId, title: "待处理文件收纳夹", category: "stationery" });
  serum = await newProduct({
    merchantId,
    title: "兰蔻小黑瓶精华 Advanced Génifique Serum",
    brand: "Lancôme",
    category: "skincare",
    description: "肌底精华液，修护屏障。",
  });
  cream = await newProduct({
    merchantId,
    title: "兰蔻菁纯面霜 Absolue Soft Cream",
    brand: "Lancôme",
    category: "skincare",
    skus: [{ price: 145000, stock: 3, options: { colour: "玫瑰金" } }],
  });
  box = await newProduct({ merchantId, title: "透明抽屉式收纳盒 Clear Drawer Box", category: "home" });
});

const mine = (q: string) => search({ q, merchantId });

describe("Chinese", () => {
  it("finds a two-character word inside a longer run (农业 in 中国农业发展银行, 处理 in 待处理)", async () => {
    expect(ids(await mine("农业"))).toEqual([bank]);
    expect(ids(await mine("处理"))).toEqual([todo]);
  });

  it("finds one-character queries", async () => {
    expect(ids(await mine("霜"))).toEqual([cream]);
    expect(new Set(ids(await mine("纳")))).toEqual(new Set([todo, box]));
  });

  it("finds runs of three or more characters anywhere (trigram), and their two-character pieces", async () => {
    expect(ids(await mine("小黑瓶"))).toEqual([serum]);
    expect(ids(await mine("发展银行"))).toEqual([bank]);
    // 兰蔻精华 is not in any title as a run; its pieces 兰蔻 and 精华 are.
    expect(ids(await mine("兰蔻精华"))).toEqual([serum]);
  });

  it("indexes SKU options (玫瑰金) and highlights the match", async () => {
    expect(ids(await mine("玫瑰金"))).toEqual([cream]);
    const result = await mine("面霜");
    expect(result.data[0]?.highlight.title).toBe("兰蔻菁纯<mark>面霜</mark> Absolue Soft Cream");
  });
});

describe("mixed and English", () => {
  it("兰蔻 精华 needs both terms", async () => {
    expect(ids(await mine("兰蔻 精华"))).toEqual([serum]);
    expect(new Set(ids(await mine("兰蔻")))).toEqual(new Set([serum, cream]));
  });

  it("lancome serum, across the brand (Lancôme, diacritics folded) and the title", async () => {
    expect(ids(await mine("lancome serum"))).toEqual([serum]);
    expect(ids(await mine("LANCÔME 精华"))).toEqual([serum]);
    expect(ids(await mine("lancome精华"))).toEqual([serum]);
  });

  it("matches word prefixes and inner parts, of one and two letters too", async () => {
    expect(ids(await mine("ser"))).toEqual([serum]);
    expect(ids(await mine("genif"))).toEqual([serum]);
    expect(new Set(ids(await mine("cl")))).toEqual(new Set([box]));
    expect(new Set(ids(await mine("a")))).toEqual(new Set([serum, cream]));
  });

  it("tolerates one typo in words of five letters or more", async () => {
    const lancme = await mine("lancme");
    expect(new Set(ids(lancme))).toEqual(new Set([serum, cream]));
    expect(lancme.query.corrections.lancme).toContain("lancome");
    expect(ids(await mine("serun"))).toEqual([serum]);
    expect(ids(await mine("lancme serun"))).toEqual([serum]);
    // A transposition is one edit; two edits are too many; an exact word is not "corrected".
    expect(ids(await mine("sreum"))).toEqual([serum]);
    // An edit in the second or third letter (the word's first three letters are not the typo's).
    expect(ids(await mine("sxrum"))).toEqual([serum]);
    expect(ids(await mine("seerum"))).toEqual([serum]);
    expect(ids(await mine("sedum"))).toEqual([serum]);
    expect(ids(await mine("sarun"))).toEqual([]);
    expect((await mine("serum")).query.corrections).toEqual({});
  });

  it("does not correct words of four letters or fewer", async () => {
    expect(ids(await mine("soff"))).toEqual([]);
  });
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
  it("a product is searchable when created, gone when archived or drafted, back when activated", async () => {
    const word = uniqueWord();
    const id = await newProduct({ merchantId, title: `归档测试 ${word}` });
    expect(ids(await search({ q: word }))).toEqual([id]);
    await db().update(products).set({ status: "archived" }).where(eq(products.id, id));
    expect(ids(await search({ q: word }))).toEqual([]);
    await db().update(products).set({ status: "active" }).where(eq(products.id, id));
    expect(ids(await search({ q: word }))).toEqual([id]);
    await db().update(products).set({ status: "draft" }).where(eq(products.id, id));
    expect(ids(await search({ q: word }))).toEqual([]);
  });

  it("a draft is never found; a title change is found at once", async () => {
    const word = uniqueWord();
    await newProduct({ merchantId, title: `草稿 ${word}`, status: "draft" });
    expect(ids(await search({ q: word }))).toEqual([]);
    const other = uniqueWord();
    const id = await newProduct({ merchantId, title: `改名前 ${other}` });
    const renamed = uniqueWord();
    await db()
      .update(products)
      .set({ title: `改名后 ${renamed}` })
      .where(eq(products.id, id));
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
