// addSku / updateSku: a product's variants change with the product's version, so its ETag changes too.
import type { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { inventoryLedger, products, skus } from "#shared/schema.ts";
import { type SkuInputSchema, toSku } from "./product.ts";
import { ownProduct, touchProduct } from "./update-product.ts";

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

/** The merchant's own SKU (joined through its product), or 404. */
export async function ownSku(db: Database, merchantId: string, skuId: string) {
  const [row] = await db
    .select({ sku: skus })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(and(eq(skus.id, skuId), eq(products.merchantId, merchantId)));
  if (!row) throw new ProblemError("not_found", `SKU ${skuId} does not exist.`);
  return row.sku;
}

export async function updateSku({
  db,
  merchantId,
  skuId,
  patch,
}: {
  db: Database;
  merchantId: string;
  skuId: string;
  patch: { options?: Record<string, string> | undefined; price?: { amount: number; currency: string } | undefined };
}) {
  if (!patch.options && !patch.price) {
    throw new ProblemError("validation_failed", "Send options, price or both.", {
      errors: [{ path: "", message: "nothing to change" }],
    });
  }
  const current = await ownSku(db, merchantId, skuId);
  if (patch.price && patch.price.currency !== current.currency) {
    throw new ProblemError("validation_failed", "A SKU keeps its product's currency.", {
      errors: [{ path: "/price/currency", message: `must be ${current.currency}` }],
    });
  }
  const [, updated] = await db.batch([
    touchProduct(db, current.productId),
    db
      .update(skus)
      .set({
        ...(patch.options ? { options: patch.options } : {}),
        ...(patch.price ? { priceAmount: patch.price.amount } : {}),
      })
      .where(eq(skus.id, skuId))
      .returning(),
  ]);
  const row = updated[0];
  if (!row) throw new ProblemError("not_found", `SKU ${skuId} does not exist.`);
  return toSku(row, true);
}
