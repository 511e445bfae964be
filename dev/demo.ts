// The demo data's content and fixed ids, kept apart from the seeding code so tests (inside workerd too) can name them.
import { scopes } from "#shared/principal.ts";

/** A fixed, valid id: the prefix, a constant time part, and a serial. */
export function demoId(prefix: string, serial: number): string {
  return `${prefix}_01JZ${String(serial).padStart(22, "0")}`;
}

/** Demo secret keys carry every scope there is. */
export const allScopes: string[] = [...scopes];
export const storefrontOrigins = ["http://localhost:3000", "http://127.0.0.1:8787", "http://localhost:8787"];

export const demo = {
  merchants: [
    { id: demoId("mer", 1), name: "Lancôme 兰蔻官方旗舰店", handle: "lancome", commissionRateBps: 800 },
    { id: demoId("mer", 2), name: "Perfect Diary 完美日记", handle: "perfectdiary", commissionRateBps: 1500 },
    { id: demoId("mer", 3), name: "Tidy Home 整理收纳", handle: "tidyhome", commissionRateBps: 1200 },
  ],
  creators: [
    {
      id: demoId("cre", 1),
      name: "林小仙 Lin Xiaoxian",
      handle: "linxiaoxian",
      bio: "护肤 | 彩妆 | 成分党",
      followerCount: 1_280_000,
    },
    { id: demoId("cre", 2), name: "收纳控阿May", handle: "amay_home", bio: "小户型收纳改造", followerCount: 356_000 },
  ],
  products: [
    {
      id: demoId("prod", 1),
      merchant: 1,
      title: "兰蔻小黑瓶精华 Advanced Génifique Serum",
      brand: "Lancôme",
      category: "skincare",
      description: "第二代小黑瓶肌底精华液，修护肌肤屏障。Our best-selling serum for skin's microbiome.",
      skus: [
        { options: { size: "30ml" }, price: 76000, stock: 300 },
        { options: { size: "50ml" }, price: 108000, stock: 500 },
        { options: { size: "100ml" }, price: 170000, stock: 120 },
      ],
    },
    {
      id: demoId("prod", 2),
      merchant: 1,
      title: "兰蔻菁纯面霜 Absolue Soft Cream",
      brand: "Lancôme",
      category: "skincare",
      description: "玫瑰精粹滋润面霜，适合干性肌肤。Rich rose-extract moisturiser.",
      skus: [
        { options: { size: "30ml" }, price: 145000, stock: 80 },
        { options: { size: "60ml" }, price: 235000, stock: 40 },
      ],
    },
    {
      id: demoId("prod", 3),
      merchant: 2,
      title: "完美日记小细跟口红 Perfect Diary Slim Lipstick",
      brand: "Perfect Diary",
      category: "makeup",
      description: "丝绒哑光口红，显白不拔干。Velvet matte lipstick.",
      skus: [
        { options: { colour: "01 正红 True Red" }, price: 8900, stock: 2000 },
        { options: { colour: "02 豆沙 Rose Bean" }, price: 8900, stock: 1500 },
        { options: { colour: "03 枫叶 Maple" }, price: 8900, stock: 0 },
      ],
    },
    {
      id: demoId("prod", 4),
      merchant: 2,
      title: "完美日记动物眼影盘 Animal Eyeshadow Palette",
      brand: "Perfect Diary",
      category: "makeup",
      description: "十二色眼影盘，小猪盘与小狗盘。12-shade palettes.",
      skus: [
        { options: { edition: "小猪盘 Piglet" }, price: 12900, stock: 600 },
        { options: { edition: "小狗盘 Puppy" }, price: 12900, stock: 450 },
      ],
    },
    {
      id: demoId("prod", 5),
      merchant: 3,
      title: "透明抽屉式收纳盒 Clear Drawer Storage Box",
      brand: "Tidy Home",
      category: "home",
      description: "可叠加抽屉收纳盒，衣柜与桌面都适用。Stackable drawers for wardrobe and desk.",
      skus: [
        { options: { size: "S" }, price: 3900, stock: 800 },
        { options: { size: "M" }, price: 5900, stock: 800 },
        { options: { size: "L" }, price: 7900, stock: 500 },
      ],
    },
    {
      id: demoId("prod", 6),
      merchant: 3,
      title: "折叠脏衣篮 Foldable Laundry Basket (draft)",
      brand: "Tidy Home",
      category: "home",
      description: "A draft product: merchants see it, shoppers do not.",
      status: "draft" as const,
      skus: [{ options: { colour: "grey" }, price: 4900, stock: 100 }],
    },
  ],
  notes: [
    {
      id: demoId("note", 1),
      creator: 1,
      products: [1],
      title: "小黑瓶空瓶记录｜用完第三瓶的真实感受",
      body: "换季泛红的时候全靠它，质地清爽好吸收，搭配面霜锁水。#护肤 #兰蔻小黑瓶",
      likeCount: 23_400,
      saveCount: 11_020,
    },
    {
      id: demoId("note", 2),
      creator: 1,
      products: [3, 4],
      title: "黄皮显白口红 + 眼影盘一周通勤妆",
      body: "01 正红真的显白！小猪盘大地色日常无压力。#口红试色 #完美日记",
      likeCount: 18_900,
      saveCount: 9_300,
    },
    {
      id: demoId("note", 3),
      creator: 2,
      products: [5],
      title: "10㎡卧室收纳改造，衣柜扩容一倍",
      body: "抽屉式收纳盒 S/M/L 混搭，换季衣物一目了然。#收纳 #小户型",
      likeCount: 7_650,
      saveCount: 12_480,
    },
    {
      id: demoId("note", 4),
      creator: 2,
      products: [2, 5],
      title: "梳妆台收纳：大牌面霜也要住得体面",
      body: "菁纯面霜放在透明抽屉第一层，拿取方便。#梳妆台 #好物分享",
      likeCount: 3_210,
      saveCount: 2_045,
    },
  ],
};

// Operator-managed search synonyms (normalised: lower case): 小黑瓶 is the nickname shoppers use for Lancôme's
// Advanced Génifique serum. Pinyin needs none (the index has it: xiaoheiping, xhp).
export const demoSearchSynonyms = [
  { name: "xiaoheiping", terms: ["小黑瓶", "advanced génifique"] },
  { name: "mianshuang", terms: ["面霜", "face cream"] },
];

export const demoLiveSessionId = demoId("live", 1);
export const demoFlashSaleId = demoId("fs", 1);
export const demoFlashSaleQuantity = 500;

export function demoSkuId(product: number, variant: number): string {
  return demoId("sku", product * 100 + variant);
}
