// The search benchmark's corpus: a deterministic generator (mulberry32, fixed seed) of products and notes with mixed
// Chinese and English text, and a loader that writes them straight into the platform's database file through the
// drizzle schema in large transactions (the index triggers doing their work as they do for the API's writes),
// together with the labelled set (test/workers/search/labelled.ts) under a merchant and a creator of its own.
import { createClient } from "@libsql/client";
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { searchPinyin } from "#shared/pinyin.ts";
import * as s from "#shared/schema.ts";
import { hashtags, labelledNotes, labelledProducts } from "../test/workers/search/labelled.ts";

export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const brands = [
  ["兰蔻", "Lancôme"],
  ["雅诗兰黛", "Estée Lauder"],
  ["完美日记", "Perfect Diary"],
  ["花西子", "Florasis"],
  ["珀莱雅", "Proya"],
  ["科颜氏", "Kiehl's"],
  ["资生堂", "Shiseido"],
  ["欧莱雅", "L'Oréal"],
  ["薇诺娜", "Winona"],
  ["小米", "Xiaomi"],
  ["华为", "Huawei"],
  ["索尼", "Sony"],
  ["苹果", "Apple"],
  ["安克", "Anker"],
  ["戴森", "Dyson"],
  ["美的", "Midea"],
  ["苏泊尔", "Supor"],
  ["九阳", "Joyoung"],
  ["小熊", "Bear"],
  ["无印良品", "MUJI"],
  ["宜家", "IKEA"],
  ["优衣库", "Uniqlo"],
  ["李宁", "Li-Ning"],
  ["安踏", "Anta"],
  ["波司登", "Bosideng"],
  ["三只松鼠", "Three Squirrels"],
  ["三顿半", "Saturnbird"],
  ["元气森林", "Genki Forest"],
  ["农夫山泉", "Nongfu"],
  ["百草味", "Be&Cheery"],
] as const;
const kinds = [
  ["精华", "serum", "skincare"],
  ["面霜", "face cream", "skincare"],
  ["眼霜", "eye cream", "skincare"],
  ["乳液", "lotion", "skincare"],
  ["防晒霜", "sunscreen", "skincare"],
  ["面膜", "face mask", "skincare"],
  ["洁面乳", "cleanser", "skincare"],
  ["口红", "lipstick", "makeup"],
  ["眼影盘", "eyeshadow palette", "makeup"],
  ["粉底液", "foundation", "makeup"],
  ["散粉", "loose powder", "makeup"],
  ["蓝牙耳机", "bluetooth earphones", "electronics"],
  ["充电宝", "power bank", "electronics"],
  ["智能手环", "smart band", "electronics"],
  ["吹风机", "hair dryer", "electronics"],
  ["空气炸锅", "air fryer", "kitchen"],
  ["电饭煲", "rice cooker", "kitchen"],
  ["炒锅", "wok", "kitchen"],
  ["保温杯", "thermos bottle", "kitchen"],
  ["收纳盒", "storage box", "home"],
  ["抽屉柜", "drawer cabinet", "home"],
  ["四件套", "bedding set", "home"],
  ["香薰蜡烛", "scented candle", "home"],
  ["羽绒服", "down jacket", "clothing"],
  ["连衣裙", "dress", "clothing"],
  ["卫衣", "hoodie", "clothing"],
  ["跑步鞋", "running shoes", "sports"],
  ["瑜伽垫", "yoga mat", "sports"],
  ["坚果礼盒", "nut gift box", "food"],
  ["速溶咖啡", "instant coffee", "food"],
  ["气泡水", "sparkling water", "food"],
  ["绿茶", "green tea", "food"],
] as const;
const adjectivesZh = [
  "保湿",
  "修护",
  "清爽",
  "滋润",
  "哑光",
  "显白",
  "透明",
  "可叠加",
  "大容量",
  "限定",
  "轻薄",
  "防水",
  "便携",
  "静音",
  "加厚",
  "纯棉",
  "无糖",
  "低卡",
  "经典",
  "新款",
  "升级",
  "迷你",
  "复古",
  "百搭",
  "高颜值",
  "抗皱",
  "提亮",
  "控油",
];
const adjectivesEn = [
  "hydrating",
  "repair",
  "fresh",
  "rich",
  "matte",
  "bright",
  "clear",
  "stackable",
  "large",
  "limited",
  "light",
  "waterproof",
  "portable",
  "quiet",
  "thick",
  "cotton",
  "sugar-free",
  "classic",
  "new",
  "mini",
  "vintage",
  "essential",
];
const phrases = [
  "适合日常使用",
  "学生党必备",
  "送礼首选",
  "宿舍神器",
  "办公室好物",
  "敏感肌可用",
  "全家都能用",
  "旅行出差方便",
  "性价比很高",
  "质感高级",
  "回购无数次",
  "颜值在线",
  "操作简单",
  "清洗方便",
  "孕妇可用",
  "四季通用",
  "秋冬必备",
  "夏天清爽",
  "持久不脱妆",
  "快速出餐",
  "节省空间",
  "环保材质",
  "官方正品",
  "七天无理由",
  "顺丰包邮",
];
const noteWords = ["测评", "分享", "种草", "避雷", "开箱", "合集", "好物推荐", "使用感受", "真实体验", "清单"];
const noteKindsEn = ["review", "haul", "tips", "vlog", "guide", "unboxing", "dupes", "routine"];
const noteTopics = ["护肤", "彩妆", "数码", "家居", "穿搭", "美食", "健身", "好物", "学生党", "上班族"];
const sizes = ["30ml", "50ml", "100ml", "S", "M", "L", "XL", "500g", "1kg", "2L", "4L"];

export const CORPUS_MERCHANTS = 200;
export const CORPUS_CREATORS = 1000;

interface ProductText {
  title: string;
  description: string;
  brand: string | null;
  category: string;
  price: number;
}

export interface CorpusDocument {
  id: string;
  kind: "product" | "note";
  /** The labelled set's key, for recall; null for generated documents. */
  key: string | null;
  /** The merchant (products) or creator (notes). */
  owner: string;
  title: string;
  body: string;
  searchPinyin: string;
}

const pad = (n: number) => String(n).padStart(7, "0");
const merchantId = (n: number) => `mer_bench${pad(n)}`;
const creatorId = (n: number) => `cre_bench${pad(n)}`;
export const LABELLED_MERCHANT = merchantId(CORPUS_MERCHANTS);
export const LABELLED_CREATOR = creatorId(CORPUS_CREATORS);

/** `products` generated products and `notes` generated notes, then the labelled set; the same for the same seed. */
export function generateCorpus(products: number, notes: number, seed = 5) {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const day = (i: number) => new Date(Date.UTC(2026, 10, 1) - (i % 90) * 86_400_000).toISOString();
  const productRows: (typeof s.products.$inferInsert)[] = [];
  const skuRows: (typeof s.skus.$inferInsert)[] = [];
  const salesRows: (typeof s.searchProductSales.$inferInsert)[] = [];
  const documents: CorpusDocument[] = [];
  const addProduct = (id: string, key: string | null, owner: string, p: ProductText, i: number) => {
    const pinyin = searchPinyin(p.title);
    productRows.push({
      id,
      merchantId: owner,
      title: p.title,
      description: p.description,
      brand: p.brand,
      category: p.category,
      status: "draft",
      images: [],
      searchPinyin: pinyin,
      createdAt: day(i),
      updatedAt: day(i),
    });
    skuRows.push({
      id: `sku_${id.slice(5)}`,
      productId: id,
      options: { size: pick(sizes) },
      priceAmount: p.price,
      currency: "CNY",
      stock: Math.floor(rand() * 50),
    });
    if (rand() < 0.2) salesRows.push({ productId: id, day: "2026-11-20", units: Math.floor(rand() * 200) + 1 });
    documents.push({ id, kind: "product", key, owner, title: p.title, body: p.description, searchPinyin: pinyin });
  };
  for (let i = 0; i < products; i++) {
    const [brandZh, brandEn] = pick(brands);
    const [kindZh, kindEn, category] = pick(kinds);
    const title = `${brandZh}${pick(adjectivesZh)}${kindZh} ${brandEn} ${pick(adjectivesEn)} ${kindEn} ${pick(sizes)}`;
    const description = `${pick(adjectivesZh)}${kindZh}，${pick(phrases)}，${pick(phrases)}。A ${pick(adjectivesEn)} ${kindEn} by ${brandEn}.`;
    const price = Math.floor(rand() * 200_000) + 500;
    addProduct(
      `prod_bench${pad(i)}`,
      null,
      merchantId(i % CORPUS_MERCHANTS),
      { title, description, brand: brandEn, category, price },
      i,
    );
  }
  labelledProducts.forEach((p, i) => {
    addProduct(`prod_label${pad(i)}`, p.key, LABELLED_MERCHANT, p, i);
  });
  const noteRows: (typeof s.notes.$inferInsert)[] = [];
  const addNote = (id: string, key: string | null, owner: string, title: string, body: string, i: number) => {
    const pinyin = searchPinyin(title);
    noteRows.push({
      id,
      creatorId: owner,
      title,
      body,
      images: [],
      topics: hashtags(body),
      searchPinyin: pinyin,
      likeCount: Math.floor(rand() * 5000),
      saveCount: Math.floor(rand() * 2000),
      createdAt: day(i),
      updatedAt: day(i),
    });
    documents.push({ id, kind: "note", key, owner, title, body, searchPinyin: pinyin });
  };
  for (let i = 0; i < notes; i++) {
    const [brandZh, brandEn] = pick(brands);
    const [kindZh, kindEn] = pick(kinds);
    const title = `${pick(adjectivesZh)}${kindZh}${pick(noteWords)}｜${brandZh}`;
    const body = `${brandEn} ${kindEn} ${pick(noteKindsEn)}：${pick(phrases)}，${pick(phrases)}，${pick(phrases)}。#${pick(noteTopics)} #${pick(noteTopics)}`;
    addNote(`note_bench${pad(i)}`, null, creatorId(i % CORPUS_CREATORS), title, body, i);
  }
  labelledNotes.forEach((n, i) => {
    addNote(`note_label${pad(i)}`, n.key, LABELLED_CREATOR, n.title, n.body, i);
  });
  const merchantRows = Array.from({ length: CORPUS_MERCHANTS + 1 }, (_, i) => ({
    id: merchantId(i),
    name: `${pick(brands)[0]}官方旗舰店 ${i}`,
    handle: `bench_m${i}`,
    followerCount: Math.floor(rand() * 100_000),
  }));
  const creatorRows = Array.from({ length: CORPUS_CREATORS + 1 }, (_, i) => ({
    id: creatorId(i),
    name: `${pick(noteTopics)}博主${i}`,
    handle: `bench_c${i}`,
    followerCount: Math.floor(rand() * 50_000),
  }));
  return { merchantRows, creatorRows, productRows, skuRows, salesRows, noteRows, documents };
}

export type Corpus = ReturnType<typeof generateCorpus>;

const BATCH = 2000;
const chunks = <T>(rows: T[], size: number) =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/**
 * Writes the corpus into the database file beside the running server (SQLite's locking makes that safe), a
 * transaction per batch. Products go in as drafts with their SKUs and are then activated, so each is indexed once
 * (a SKU insert would re-index an active product).
 */
export async function loadCorpus(dbFile: string, corpus: Corpus): Promise<void> {
  const client = createClient({ url: `file:${dbFile}` });
  await client.execute("PRAGMA busy_timeout = 10000");
  const db = drizzle(client, { schema: s });
  try {
    await db.insert(s.merchants).values(corpus.merchantRows);
    await db.insert(s.creators).values(corpus.creatorRows);
    const skusOf = chunks(corpus.skuRows, BATCH);
    for (const [i, rows] of chunks(corpus.productRows, BATCH).entries()) {
      await db.transaction(async (tx) => {
        // SQLite allows 32,766 bound values a statement: 500-row inserts stay well below.
        for (const part of chunks(rows, 500)) await tx.insert(s.products).values(part);
        for (const part of chunks(skusOf[i] ?? [], 500)) await tx.insert(s.skus).values(part);
        const ids = rows.map((r) => r.id);
        await tx.update(s.products).set({ status: "active" }).where(inArray(s.products.id, ids));
      });
    }
    for (const rows of chunks(corpus.salesRows, BATCH)) await db.insert(s.searchProductSales).values(rows);
    for (const rows of chunks(corpus.noteRows, BATCH)) {
      await db.transaction(async (tx) => {
        for (const part of chunks(rows, 500)) await tx.insert(s.notes).values(part);
      });
    }
  } finally {
    client.close();
  }
}
