// The labelled set: a fixed catalogue (products and notes) and queries with the results a shopper expects in the top
// ten, written from what the words mean, not from what the engine returns. The recall test runs it through the
// search Worker; `npm run bench -- search` runs it through the gateway and through MiniSearch over the same
// documents. Plain data, no imports: it loads in workerd and in Node alike.

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

const p = (
  key: string,
  title: string,
  brand: string | null,
  category: string,
  description: string,
  price: number,
): LabelledProduct => ({ key, title, brand, category, description, price });

export const labelledProducts: LabelledProduct[] = [
  p(
    "lancome-serum",
    "兰蔻小黑瓶精华肌底液 Advanced Génifique Serum",
    "Lancôme",
    "skincare",
    "修护肌底，强韧屏障。",
    76000,
  ),
  p("lancome-cream", "兰蔻菁纯面霜 Absolue Soft Cream", "Lancôme", "skincare", "滋润修护面霜，柔润质地。", 145000),
  p("lancome-eye", "兰蔻小黑瓶眼部精华 Génifique Eye Serum", "Lancôme", "skincare", "眼周精华，淡化细纹。", 52000),
  p(
    "estee-serum",
    "雅诗兰黛小棕瓶精华 Advanced Night Repair Serum",
    "Estée Lauder",
    "skincare",
    "夜间修护精华。",
    89000,
  ),
  p("estee-eye", "雅诗兰黛小棕瓶眼霜 Night Repair Eye Cream", "Estée Lauder", "skincare", "抗蓝光眼霜。", 59000),
  p("proya-serum", "珀莱雅双抗精华 Proya Dual Serum", "Proya", "skincare", "抗氧抗糖，提亮肤色。", 32900),
  p("proya-cream", "珀莱雅红宝石面霜 Ruby Cream", "Proya", "skincare", "紧致抗皱面霜。", 29900),
  p("kiehls-cream", "科颜氏高保湿面霜 Ultra Facial Cream", "Kiehl's", "skincare", "保湿补水，清爽不油腻。", 36000),
  p(
    "anessa-sun",
    "安热沙小金瓶防晒霜 Perfect UV Sunscreen SPF50+",
    "Anessa",
    "skincare",
    "防水防汗，户外防晒。",
    19800,
  ),
  p("biore-sun", "碧柔水活防晒乳 Biore UV Aqua Rich Sunscreen", "Bioré", "skincare", "清爽水感防晒。", 6900),
  p(
    "cerave-lotion",
    "适乐肤保湿乳液 CeraVe Moisturising Lotion",
    "CeraVe",
    "skincare",
    "修护屏障，敏感肌可用。",
    13900,
  ),
  p("sk2-essence", "SK-II 神仙水护肤精华露 Facial Treatment Essence", "SK-II", "skincare", "调理肌肤，透亮。", 154000),
  p("ysl-lipstick", "圣罗兰小金条口红 YSL Rouge Pur Couture Lipstick", "YSL", "makeup", "哑光正红色，显白。", 38000),
  p("dior-lipstick", "迪奥烈艳蓝金唇膏口红 Dior Rouge Lipstick 999", "Dior", "makeup", "经典正红，滋润。", 40000),
  p("mac-lipstick", "魅可子弹头口红 MAC Matte Lipstick Chili", "MAC", "makeup", "砖红色哑光。", 17000),
  p(
    "pd-eyeshadow",
    "完美日记十二色动物眼影盘 Perfect Diary Eyeshadow Palette",
    "Perfect Diary",
    "makeup",
    "大地色日常眼妆。",
    12900,
  ),
  p("florasis-powder", "花西子空气蜜粉 Florasis Loose Powder", "Florasis", "makeup", "控油定妆，雕花设计。", 14900),
  p("tidy-box", "透明抽屉式收纳盒 Clear Drawer Storage Box", "Tidy Home", "home", "衣柜整理，可叠加。", 3900),
  p("tidy-cabinet", "五层抽屉柜 Five Drawer Cabinet", "Tidy Home", "home", "卧室收纳，大容量。", 29900),
  p("tidy-basket", "棉麻收纳筐 Cotton Storage Basket", "Tidy Home", "home", "玩具杂物收纳。", 4900),
  p("muji-shelf", "无印良品松木置物架 Pine Wood Shelf", "MUJI", "home", "客厅书架，简约。", 59000),
  p("bear-fryer", "小熊空气炸锅 Bear Air Fryer 4L", "Bear", "kitchen", "无油烹饪，薯条鸡翅。", 25900),
  p("supor-pot", "苏泊尔不粘炒锅 Supor Non-stick Wok", "Supor", "kitchen", "少油烟，电磁炉通用。", 16900),
  p("joyoung-soy", "九阳豆浆机 Joyoung Soymilk Maker", "Joyoung", "kitchen", "免滤破壁，早餐必备。", 39900),
  p(
    "disposer",
    "厨余垃圾处理器 Kitchen Food Waste Disposer",
    "InSinkErator",
    "kitchen",
    "水槽下安装，粉碎厨余。",
    169900,
  ),
  p(
    "sony-headphones",
    "索尼降噪蓝牙耳机 Sony WH-1000XM5 Noise Cancelling Headphones",
    "Sony",
    "electronics",
    "头戴式，长续航。",
    249900,
  ),
  p("airpods", "苹果无线蓝牙耳机 AirPods Pro Wireless Earbuds", "Apple", "electronics", "主动降噪，入耳式。", 189900),
  p("anker-power", "安克充电宝 Anker Power Bank 20000mAh", "Anker", "electronics", "快充移动电源。", 19900),
  p("xiaomi-band", "小米手环 Xiaomi Smart Band 8", "Xiaomi", "electronics", "心率睡眠监测。", 24900),
  p("kindle", "亚马逊电子书阅读器 Kindle Paperwhite", "Amazon", "electronics", "护眼墨水屏。", 109900),
  p("down-jacket", "波司登长款羽绒服 Bosideng Long Down Jacket", "Bosideng", "clothing", "鹅绒保暖，防风。", 159900),
  p("silk-dress", "真丝碎花连衣裙 Silk Floral Dress", null, "clothing", "桑蚕丝，夏季长裙。", 69900),
  p("denim-skirt", "高腰牛仔半身裙 High Waist Denim Skirt", null, "clothing", "A字短裙。", 15900),
  p("uniqlo-tee", "优衣库纯棉圆领T恤 Uniqlo Cotton T-Shirt", "Uniqlo", "clothing", "基础款，百搭。", 7900),
  p("luosifen", "柳州螺蛳粉 Liuzhou Snail Rice Noodles", "好欢螺", "food", "酸辣鲜香，加臭加辣。", 4590),
  p("coffee", "三顿半精品速溶咖啡 Saturnbird Instant Coffee", "三顿半", "food", "冷萃冻干咖啡粉。", 12900),
  p("tea", "西湖龙井绿茶 West Lake Longjing Green Tea", null, "food", "明前春茶，清香。", 29800),
  p("milk-tea", "香飘飘原味奶茶 Classic Milk Tea", "香飘飘", "food", "冲泡奶茶，暖手。", 3900),
  p("agri-book", "现代农业种植技术手册 Modern Agriculture Handbook", null, "books", "温室大棚与有机种植。", 4800),
  p("bank-card", "中国农业发展银行联名卡套 Bank Card Holder", null, "stationery", "皮质卡套，可放工牌。", 2900),
  p("todo-folder", "待处理文件收纳夹 To-do File Folder", null, "stationery", "办公桌面整理。", 1900),
  p("yoga-mat", "加厚防滑瑜伽垫 Non-slip Yoga Mat", "Keep", "sports", "TPE材质，居家健身。", 8900),
  p("running-shoes", "李宁轻量跑步鞋 Li-Ning Running Shoes", "Li-Ning", "sports", "缓震透气。", 39900),
  p("dyson-hair", "戴森吹风机 Dyson Supersonic Hair Dryer", "Dyson", "electronics", "快速干发，护发。", 299900),
  p("cat-food", "渴望六种鱼猫粮 Orijen Six Fish Cat Food", "Orijen", "pets", "无谷高蛋白。", 59900),
];

const n = (key: string, title: string, body: string): LabelledNote => ({ key, title, body });

export const labelledNotes: LabelledNote[] = [
  n("note-oily", "油皮夏天护肤流程分享", "油皮亲妈推荐：清爽乳液加防晒，一整天不泛油光。#护肤 #油皮"),
  n("note-serum", "小黑瓶用了三个月的真实感受", "兰蔻小黑瓶精华 honest review：肤质稳定了很多。#精华"),
  n("note-sunscreen", "通勤防晒霜测评：五款横评", "sunscreen review：安热沙和碧柔哪个更适合上班族？#防晒"),
  n("note-lipstick", "秋冬显白口红试色", "正红和砖红色号 swatch，黄皮也能驾驭。#口红 #彩妆"),
  n("note-storage", "小户型收纳改造", "抽屉柜加收纳盒，衣柜瞬间整齐。#收纳 #家居"),
  n("note-fryer", "空气炸锅食谱：十分钟鸡翅", "air fryer recipe，外酥里嫩，零失败。#美食"),
  n("note-coffee", "上班族的速溶咖啡清单", "coffee 爱好者整理的冷萃速溶推荐。#咖啡"),
  n("note-headphones", "降噪耳机怎么选", "通勤地铁党的 headphones 购买指南，索尼和苹果对比。#数码"),
  n("note-dress", "夏日碎花连衣裙穿搭", "真丝裙子配小白鞋，约会必备。#穿搭"),
  n("note-luosifen", "螺蛳粉的十种吃法", "加炸蛋还是加腐竹？螺蛳粉爱好者必看。#美食"),
];

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
