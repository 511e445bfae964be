// The labelled set: a fixed catalogue (products and notes) and queries with the results a shopper expects in the top
// ten, written from what the words mean, not from what the engine returns. The recall test runs it through the
// search Worker; `npm run bench -- search` runs it through the gateway and through MiniSearch over the same
// documents. Plain data (the documents in labelled-catalogue.json): it loads in workerd and in Node alike.
import catalogue from "./labelled-catalogue.json" with { type: "json" };

export interface LabelledProduct {
  key: string;
  title: string;
  brand: string | null;
  category: string;
  description: string;
  price: number;
}

export interface LabelledNote {
  key: string;
  title: string;
  body: string;
}

export type LabelledKind =
  | "chinese-1"
  | "chinese-2"
  | "chinese-long"
  | "english"
  | "english-prefix"
  | "mixed"
  | "typo"
  | "pinyin"
  | "pinyin-initials";

export interface LabelledQuery {
  q: string;
  type: "products" | "notes";
  kind: LabelledKind;
  /** Keys of the documents that must be in the top ten (at most ten). */
  expected: string[];
}

/** The catalogue's documents, kept as data beside this file. */
export const labelledProducts: LabelledProduct[] = catalogue.products;
export const labelledNotes: LabelledNote[] = catalogue.notes;

const q = (kind: LabelledKind, query: string, expected: string[], type: "products" | "notes" = "products") => ({
  q: query,
  type,
  kind,
  expected,
});

export const labelledQueries: LabelledQuery[] = [
  // One Chinese character
  q("chinese-1", "霜", ["lancome-cream", "estee-eye", "proya-cream", "kiehls-cream", "anessa-sun"]),
  q("chinese-1", "茶", ["tea", "milk-tea"]),
  q("chinese-1", "锅", ["bear-fryer", "supor-pot"]),
  q("chinese-1", "裙", ["silk-dress", "denim-skirt"]),
  q("chinese-1", "鞋", ["running-shoes"]),
  // Two Chinese characters, alone or inside longer runs
  q("chinese-2", "面霜", ["lancome-cream", "proya-cream", "kiehls-cream"]),
  q("chinese-2", "精华", ["lancome-serum", "lancome-eye", "estee-serum", "proya-serum", "sk2-essence"]),
  q("chinese-2", "口红", ["ysl-lipstick", "dior-lipstick", "mac-lipstick"]),
  q("chinese-2", "眼影", ["pd-eyeshadow"]),
  q("chinese-2", "耳机", ["sony-headphones", "airpods"]),
  q("chinese-2", "收纳", ["tidy-box", "tidy-cabinet", "tidy-basket", "todo-folder"]),
  q("chinese-2", "防晒", ["anessa-sun", "biore-sun"]),
  q("chinese-2", "农业", ["agri-book", "bank-card"]),
  q("chinese-2", "处理", ["disposer", "todo-folder"]),
  q("chinese-2", "保湿", ["kiehls-cream", "cerave-lotion"]),
  q("chinese-2", "咖啡", ["coffee"]),
  q("chinese-2", "抽屉", ["tidy-box", "tidy-cabinet"]),
  // Longer Chinese
  q("chinese-long", "小黑瓶", ["lancome-serum", "lancome-eye"]),
  q("chinese-long", "小棕瓶", ["estee-serum", "estee-eye"]),
  q("chinese-long", "兰蔻精华", ["lancome-serum", "lancome-eye"]),
  q("chinese-long", "蓝牙耳机", ["sony-headphones", "airpods"]),
  q("chinese-long", "螺蛳粉", ["luosifen"]),
  q("chinese-long", "空气炸锅", ["bear-fryer"]),
  q("chinese-long", "连衣裙", ["silk-dress"]),
  q("chinese-long", "羽绒服", ["down-jacket"]),
  q("chinese-long", "发展银行", ["bank-card"]),
  q("chinese-long", "雅诗兰黛眼霜", ["estee-eye"]),
  // English words, whole and by prefix
  q("english", "lancome", ["lancome-serum", "lancome-cream", "lancome-eye"]),
  q("english", "serum", ["lancome-serum", "lancome-eye", "estee-serum", "proya-serum"]),
  q("english", "sunscreen", ["anessa-sun", "biore-sun"]),
  q("english", "lipstick", ["ysl-lipstick", "dior-lipstick", "mac-lipstick"]),
  q("english", "air fryer", ["bear-fryer"]),
  q("english", "storage", ["tidy-box", "tidy-basket"]),
  q("english", "coffee", ["coffee"]),
  q("english", "silk dress", ["silk-dress"]),
  q("english-prefix", "ser", ["lancome-serum", "lancome-eye", "estee-serum", "proya-serum"]),
  q("english-prefix", "lip", ["ysl-lipstick", "dior-lipstick", "mac-lipstick"]),
  q("english-prefix", "headph", ["sony-headphones"]),
  q("english-prefix", "dr", ["tidy-box", "tidy-cabinet", "silk-dress", "dyson-hair"]),
  // Mixed Chinese and English
  q("mixed", "兰蔻 精华", ["lancome-serum", "lancome-eye"]),
  q("mixed", "lancome 精华", ["lancome-serum", "lancome-eye"]),
  q("mixed", "lancome精华", ["lancome-serum", "lancome-eye"]),
  q("mixed", "雅诗兰黛 serum", ["estee-serum"]),
  q("mixed", "dior 口红", ["dior-lipstick"]),
  q("mixed", "sony 耳机", ["sony-headphones"]),
  q("mixed", "ysl口红", ["ysl-lipstick"]),
  // Typos: one edit in words of five letters or more
  q("typo", "lancme", ["lancome-serum", "lancome-cream", "lancome-eye"]),
  q("typo", "serm", ["lancome-serum", "lancome-eye", "estee-serum", "proya-serum"]),
  q("typo", "serun", ["lancome-serum", "lancome-eye", "estee-serum", "proya-serum"]),
  q("typo", "lipstik", ["ysl-lipstick", "dior-lipstick", "mac-lipstick"]),
  q("typo", "cofee", ["coffee"]),
  q("typo", "sunscren", ["anessa-sun", "biore-sun"]),
  q("typo", "headphnoes", ["sony-headphones"]),
  // Pinyin: full syllables (whole or a prefix) and initials
  q("pinyin", "xiaoheiping", ["lancome-serum", "lancome-eye"]),
  q("pinyin", "mianshuang", ["lancome-cream", "proya-cream", "kiehls-cream"]),
  q("pinyin", "kouhong", ["ysl-lipstick", "dior-lipstick", "mac-lipstick"]),
  q("pinyin", "luosifen", ["luosifen"]),
  q("pinyin", "lanya erji", ["sony-headphones", "airpods"]),
  q("pinyin", "xiaozong", ["estee-serum", "estee-eye"]),
  q("pinyin-initials", "xhp", ["lancome-serum", "lancome-eye"]),
  q("pinyin-initials", "lsf", ["luosifen"]),
  q("pinyin-initials", "yrf", ["down-jacket"]),
  // Notes
  q("chinese-2", "油皮", ["note-oily"], "notes"),
  q("chinese-long", "小黑瓶", ["note-serum"], "notes"),
  q("chinese-2", "防晒", ["note-oily", "note-sunscreen"], "notes"),
  q("chinese-1", "裙", ["note-dress"], "notes"),
  q("english", "review", ["note-serum", "note-sunscreen"], "notes"),
  q("mixed", "空气炸锅 recipe", ["note-fryer"], "notes"),
  q("pinyin", "luosifen", ["note-luosifen"], "notes"),
  q("pinyin", "fangshai", ["note-sunscreen"], "notes"),
  q("pinyin-initials", "lsf", ["note-luosifen"], "notes"),
];

/** The topics a note's body gives it (#hashtags), as the notes API derives them. */
export function hashtags(body: string): string[] {
  return Array.from(body.matchAll(/#([\p{L}\p{N}_]{1,30})/gu), (m) => m[1] ?? "");
}

export interface RecallReport {
  /** Mean over the queries of the share of each one's expected documents in its top ten. */
  recall: number;
  byKind: Record<string, number>;
  /** One line per query that missed something: what was expected, what came. */
  misses: string[];
}

/** Recall@10 of an engine's answers: `answers[i]` holds the document keys returned for labelledQueries[i]. */
export function recallAt10(answers: string[][]): RecallReport {
  const sums: Record<string, { total: number; n: number }> = {};
  const misses: string[] = [];
  let total = 0;
  labelledQueries.forEach((query, i) => {
    const top = (answers[i] ?? []).slice(0, 10);
    const missing = query.expected.filter((key) => !top.includes(key));
    const recall = 1 - missing.length / query.expected.length;
    total += recall;
    const name = `${query.type}/${query.kind}`;
    const kind = sums[name] ?? { total: 0, n: 0 };
    sums[name] = { total: kind.total + recall, n: kind.n + 1 };
    if (missing.length > 0) {
      misses.push(
        `${query.type} "${query.q}" (${query.kind}): missed ${missing.join(", ")}; top 10: ${top.join(", ")}`,
      );
    }
  });
  return {
    recall: total / labelledQueries.length,
    byKind: Object.fromEntries(Object.entries(sums).map(([kind, { total, n }]) => [kind, total / n])),
    misses,
  };
}
