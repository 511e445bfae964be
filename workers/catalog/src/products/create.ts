// createProduct: a merchant lists a product with its SKUs; opening stock goes through the inventory ledger,
// all in one transaction (one round trip), so a product never exists without its SKUs or its stock unexplained.
import type { z } from "@hono/zod-openapi";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { inventoryLedger, products, skus } from "#shared/schema.ts";
import type { Product, ProductCreateSchema } from "./product.ts";
import { toProduct } from "./product.ts";

export async function createProduct({
  db,
  merchantId,
  input,
}: {
  db: Database;
  merchantId: string;
  input: z.infer<typeof ProductCreateSchema>;
}): Promise<{ product: Product; version: number }> {
  const currencies = new Set(input.skus.map((s) => s.price.currency));
  if (currencies.size > 1) {
    throw new ProblemError("validation_failed", "All SKUs of a product are priced in one currency.", {
      errors: input.skus.map((_, i) => ({ path: `/skus/${i}/price/currency`, message: "must match the other SKUs" })),
    });
  }
  const optionKeys = new Set(input.skus.map((s) => JSON.stringify(Object.entries(s.options).sort())));
  if (optionKeys.size !== input.skus.length) {
    throw new ProblemError("validation_failed", "Two SKUs have the same options.", {
      errors: [{ path: "/skus", message: "each SKU needs distinct options" }],
    });
  }
  const productId = newId("prod");
  const now = new Date().toISOString();
  const skuRows = input.skus.map((s) => ({
    id: newId("sku"),
    productId,
    options: s.options,
    image: s.image ?? null,
    priceAmount: s.price.amount,
    currency: s.price.currency,
    stock: s.stock,
    createdAt: now,
  }));
  const ledger = skuRows
    .filter((s) => s.stock > 0)
    .map((s) => ({
      id: newId("led"),
      skuId: s.id,
      delta: s.stock,
      reason: "initial_stock",
      idempotencyKey: productId,
    }));
  const row = {
    id: productId,
    merchantId,
    title: input.title,
    searchPinyin: searchPinyin(input.title),
    description: input.description,
    brand: input.brand,
    category: input.category,
    status: input.status,
    images: input.images,
    allowsPromotion: input.allowsPromotion,
    commissionRateBps: input.commissionRateBps,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await db.batch([
    db.insert(products).values(row),
    db.insert(skus).values(skuRows),
    ...(ledger.length > 0 ? [db.insert(inventoryLedger).values(ledger)] : []),
  ]);
  return { product: toProduct(row, skuRows, true), version: row.version };
}
