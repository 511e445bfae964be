// The demo data's fixed ids and its content (demo.json), kept apart from the seeding code so tests (inside workerd
// too) can name them.
import { scopes } from "#shared/principal.ts";
import content from "./demo.json" with { type: "json" };

/** A fixed, valid id: the prefix, a constant time part, and a serial. */
export function demoId(prefix: string, serial: number): string {
  return `${prefix}_01JZ${String(serial).padStart(22, "0")}`;
}

/** Demo secret keys carry every scope there is. */
export const allScopes: string[] = [...scopes];
export const storefrontOrigins = ["http://localhost:3000", "http://127.0.0.1:8787", "http://localhost:8787"];

// The content lives in demo.json; the nth entry of each list gets the nth fixed id, and `merchant`, `creator` and
// `products` name entries by that number (1 is the first).
const withIds = <T>(prefix: string, list: T[]) => list.map((entry, i) => ({ id: demoId(prefix, i + 1), ...entry }));

interface DemoProduct {
  merchant: number;
  title: string;
  brand: string;
  category: string;
  description: string;
  /** Absent: active. */
  status?: "draft";
  skus: { options: Record<string, string>; price: number; stock: number }[];
}

export const demo = {
  merchants: withIds("mer", content.merchants),
  creators: withIds("cre", content.creators),
  products: withIds("prod", content.products as DemoProduct[]),
  notes: withIds("note", content.notes),
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
