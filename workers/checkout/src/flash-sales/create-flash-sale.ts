// createFlashSale: a merchant puts units of its own SKU on sale. The allotment leaves the SKU's stock through the
// ledger (reason flash_sale_allotment, keyed by the sale id) in the same transaction that writes the sale, and only
// if the stock covers it; then the sale's FlashSaleStock object is opened with its terms.
import { eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { flashSales, liveSessions, products, skus } from "#shared/schema.ts";
import { moveStockStatements } from "#shared/stock.ts";
import type { FlashSaleCreate } from "./flash-sale.ts";

/** A merchant's create call, for a flash sale or a pre-sale: the database, the merchant, its body, the time now. */
export interface MerchantCreate<Input> {
  db: Database;
  merchantId: string;
  input: Input;
  now: Date;
}

export async function createFlashSale({
  db,
  merchantId,
  input,
  now,
}: MerchantCreate<FlashSaleCreate>): Promise<{ row: typeof flashSales.$inferSelect; productId: string }> {
  if (input.endsAt <= now.toISOString()) {
    throw new ProblemError("validation_failed", "A flash sale must end in the future.", {
      errors: [{ path: "/endsAt", message: "must be in the future" }],
    });
  }
  const [skuRows, sessionRows] = await db.batch([
    db
      .select({
        id: skus.id,
        productId: skus.productId,
        currency: skus.currency,
        stock: skus.stock,
        merchantId: products.merchantId,
      })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .where(eq(skus.id, input.skuId)),
    db
      .select({ id: liveSessions.id })
      .from(liveSessions)
      .where(eq(liveSessions.id, input.liveSessionId ?? "")),
  ]);
  const sku = ownSku(skuRows[0], merchantId, input.skuId);
  if (sku.currency !== input.price.currency) {
    throw new ProblemError("validation_failed", `The sale price must be in the SKU's currency, ${sku.currency}.`, {
      errors: [{ path: "/price/currency", message: `must be ${sku.currency}` }],
    });
  }
  if (input.liveSessionId !== undefined && sessionRows.length === 0) {
    throw new ProblemError("validation_failed", `Live session ${input.liveSessionId} does not exist.`, {
      errors: [{ path: "/liveSessionId", message: "no such live session" }],
    });
  }

  const id = newId("fs", now.getTime());
  const ledgerId = newId("led", now.getTime());
  const at = now.toISOString();
  const client = db.$client;
  const results = await client.batch(
    [
      ...moveStockStatements({
        ledgerId,
        skuId: sku.id,
        delta: -input.quantity,
        reason: "flash_sale_allotment",
        idempotencyKey: id,
        at,
      }),
      {
        sql: `INSERT INTO flash_sales (id, merchant_id, sku_id, live_session_id, quantity, price_amount, currency,
                                       per_shopper_limit, shards, starts_at, ends_at, created_at)
              SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
              WHERE EXISTS (SELECT 1 FROM inventory_ledger WHERE id = ?)`,
        args: [
          id,
          merchantId,
          sku.id,
          input.liveSessionId ?? null,
          input.quantity,
          input.price.amount,
          input.price.currency,
          input.perShopperLimit,
          input.shards,
          input.startsAt,
          input.endsAt,
          at,
          ledgerId,
        ],
      },
      { sql: "SELECT stock FROM skus WHERE id = ?", args: [sku.id] },
    ],
    "write",
  );
  if ((results[3]?.rowsAffected ?? 0) === 0) {
    const stock = Number(results[4]?.rows[0]?.stock ?? 0);
    throw new ProblemError("conflict", `SKU ${sku.id} has ${stock} units in stock; the sale needs ${input.quantity}.`, {
      errors: [{ path: "/quantity", message: `at most ${stock}` }],
    });
  }
  const row = await db.query.flashSales.findFirst({ where: eq(flashSales.id, id) });
  if (!row) throw new Error(`flash sale ${id} missing after insert`);
  return { row, productId: sku.productId };
}

/** The merchant's own SKU, or a 404: another merchant's SKU is as unknown as a missing one. */
export function ownSku<T extends { merchantId: string }>(sku: T | undefined, merchantId: string, skuId: string): T {
  if (!sku || sku.merchantId !== merchantId) {
    throw new ProblemError("not_found", `SKU ${skuId} does not exist.`, {
      errors: [{ path: "/skuId", message: "no such SKU of yours" }],
    });
  }
  return sku;
}
