// The search tests' data: a merchant of their own per test file (so filters isolate its products from other
// engineers' test data in the shared database), and products written straight to the tables as the catalog writes
// them, pinyin included (the index follows by trigger). Requests to the search Worker are in client.ts.
import { env } from "cloudflare:workers";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { creators, inventoryLedger, merchants, notes, products, skus } from "#shared/schema.ts";

export const db = () => database(env);

/** A random Latin word, so a test's data matches only that test's queries. */
export function uniqueWord(prefix = "zq"): string {
  return `${prefix}${crypto
    .randomUUID()
    .replaceAll("-", "")
    .slice(0, 10)
    .replace(/\d/g, (d) => "abcdefghij"[Number(d)] ?? "a")}`;
}

export async function newMerchant(name = "搜索测试店", followerCount = 0): Promise<string> {
  const id = newId("mer");
  await db()
    .insert(merchants)
    .values({ id, name, handle: `h_${id.toLowerCase()}`, followerCount });
  return id;
}

export async function newCreator(name = "搜索测试博主", followerCount = 0): Promise<string> {
  const id = newId("cre");
  await db()
    .insert(creators)
    .values({ id, name, handle: `h_${id.toLowerCase()}`, followerCount });
  return id;
}

export interface ProductSpec {
  merchantId: string;
  title: string;
  description?: string;
  brand?: string | null;
  category?: string | null;
  status?: "draft" | "active" | "archived";
  skus?: { price: number; stock: number; options?: Record<string, string> }[];
  createdAt?: string;
}

/** A product with its SKUs and their opening stock in the ledger, in one transaction (as createProduct does). */
export async function newProduct(spec: ProductSpec): Promise<string> {
  const id = newId("prod");
  const skuRows = (spec.skus ?? [{ price: 10000, stock: 5 }]).map((s, i) => ({
    id: newId("sku"),
    productId: id,
    options: s.options ?? { n: String(i) },
    priceAmount: s.price,
    currency: "CNY",
    stock: s.stock,
  }));
  const ledgerRows = skuRows
    .filter((s) => s.stock > 0)
    .map((s) => ({ id: newId("led"), skuId: s.id, delta: s.stock, reason: "initial_stock", idempotencyKey: id }));
  await db().batch([
    db()
      .insert(products)
      .values({
        id,
        merchantId: spec.merchantId,
        title: spec.title,
        searchPinyin: searchPinyin(spec.title),
        description: spec.description ?? "",
        brand: spec.brand ?? null,
        category: spec.category ?? null,
        status: spec.status ?? "active",
        images: [`https://img.example.com/${id}.jpg`],
        ...(spec.createdAt ? { createdAt: spec.createdAt, updatedAt: spec.createdAt } : {}),
      }),
    db().insert(skus).values(skuRows),
    ...(ledgerRows.length > 0 ? [db().insert(inventoryLedger).values(ledgerRows)] : []),
  ]);
  return id;
}

export async function newNote(spec: {
  creatorId: string;
  title: string;
  body?: string;
  topics?: string[];
  likeCount?: number;
  saveCount?: number;
}): Promise<string> {
  const id = newId("note");
  await db()
    .insert(notes)
    .values({
      id,
      creatorId: spec.creatorId,
      title: spec.title,
      searchPinyin: searchPinyin(spec.title),
      body: spec.body ?? "",
      topics: spec.topics ?? [],
      images: [`https://img.example.com/${id}.jpg`],
      likeCount: spec.likeCount ?? 0,
      saveCount: spec.saveCount ?? 0,
    });
  return id;
}
