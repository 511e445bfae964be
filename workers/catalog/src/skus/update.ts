// updateSku: a merchant changes its own SKU's price or options; the product's version moves with it, so its ETag
// changes too. Stock changes only through the inventory ledger (adjust-inventory.ts).
import { and, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { products, skus } from "#shared/schema.ts";
import { toSku } from "../products/product.ts";
import { touchProduct } from "../products/update.ts";

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
  patch: {
    options?: Record<string, string> | undefined;
    price?: { amount: number; currency: string } | undefined;
    image?: string | null | undefined;
  };
}) {
  if (!patch.options && !patch.price && patch.image === undefined) {
    throw new ProblemError("validation_failed", "Send options, price, image or any of them.", {
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
        ...(patch.image !== undefined ? { image: patch.image } : {}),
      })
      .where(eq(skus.id, skuId))
      .returning(),
  ]);
  const row = updated[0];
  if (!row) throw new ProblemError("not_found", `SKU ${skuId} does not exist.`);
  return toSku(row, true);
}
