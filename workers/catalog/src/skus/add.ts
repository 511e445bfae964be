// addSku: a merchant adds a variant to its own product, in the product's one currency and with options no sibling
// has; the product's version moves with it, so its ETag changes too.
import type { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { inventoryLedger, skus } from "#shared/schema.ts";
import { type SkuInputSchema, toSku } from "../products/product.ts";
import { ownProduct, touchProduct } from "../products/update.ts";

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

export async function addSku({
  db,
  merchantId,
  productId,
  input,
}: {
  db: Database;
  merchantId: string;
  productId: string;
  input: z.infer<typeof SkuInputSchema>;
}) {
  await ownProduct(db, merchantId, productId);
  const siblings = await db.select().from(skus).where(eq(skus.productId, productId));
  if (siblings.some((s) => s.currency !== input.price.currency)) {
    throw new ProblemError("validation_failed", "All SKUs of a product are priced in one currency.", {
      errors: [{ path: "/price/currency", message: "must match the product's other SKUs" }],
    });
  }
  if (siblings.some((s) => sameOptions(s.options, input.options))) {
    throw new ProblemError("conflict", "The product already has a SKU with these options.");
  }
  const row = {
    id: newId("sku"),
    productId,
    options: input.options,
    image: input.image ?? null,
    priceAmount: input.price.amount,
    currency: input.price.currency,
    stock: input.stock,
    createdAt: new Date().toISOString(),
  };
  await db.batch([
    db.insert(skus).values(row),
    ...(row.stock > 0
      ? [
          db.insert(inventoryLedger).values({
            id: newId("led"),
            skuId: row.id,
            delta: row.stock,
            reason: "initial_stock",
            idempotencyKey: row.id,
          }),
        ]
      : []),
    touchProduct(db, productId),
  ]);
  return toSku(row, true);
}
