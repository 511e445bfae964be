// A creator's showcase (橱窗): the products it keeps on its public page, each with the attribution reference a
// storefront passes to the cart, so a purchase from the showcase credits the creator (shared/attribution.ts checks
// it again at checkout). Only products under an affiliate plan open to the creator may be added, and the public page
// shows only those still under one.
import { z } from "@hono/zod-openapi";
import type { Row } from "@libsql/client/web";
import { promotableSql } from "#shared/affiliates.ts";
import { encodeAttribution } from "#shared/attribution.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { money } from "#shared/money.ts";
import { MoneySchema } from "#shared/openapi/schemas.ts";
import { textOrNull } from "#shared/rows.ts";

export const ShowcaseItemSchema = z
  .object({
    object: z.literal("showcase_item"),
    creatorId: z.string(),
    productId: z.string(),
    merchantId: z.string(),
    title: z.string(),
    image: z.string().nullable().openapi({ description: "The product's first image." }),
    price: MoneySchema.nullable().openapi({ description: "The lowest SKU price; null for a product with no SKU yet." }),
    attribution: z.string().openapi({
      description: "Pass it with the cart line (`attribution`) so the purchase credits the creator.",
      example: "attr_MX5-fmNyZV8wMUpaMDAwMDAwMDAwMDAwMDAwMDAwMDAwMX5wcm9kXzAxSlowMDAwMDAwMDAwMDAwMDAwMDAwMDAx.a724953f",
    }),
    addedAt: z.string(),
  })
  .openapi("ShowcaseItem");

export type ShowcaseItem = z.infer<typeof ShowcaseItemSchema>;

const itemSql = (where: string) => `
  SELECT s.creator_id, s.product_id, s.created_at, p.merchant_id, p.title, json_extract(p.images, '$[0]') AS image,
         (SELECT min(price_amount) FROM skus WHERE product_id = p.id) AS price_amount,
         (SELECT currency FROM skus WHERE product_id = p.id ORDER BY price_amount LIMIT 1) AS currency
  FROM showcase_items s JOIN products p ON p.id = s.product_id
  WHERE ${where} AND p.status = 'active'
    AND ${promotableSql({ creator: "s.creator_id", product: "s.product_id", at: ":now" })}`;

function toItem(row: Row): ShowcaseItem {
  const creatorId = String(row.creator_id);
  const productId = String(row.product_id);
  return {
    object: "showcase_item",
    creatorId,
    productId,
    merchantId: String(row.merchant_id),
    title: String(row.title),
    image: textOrNull(row.image),
    price: row.price_amount === null ? null : money(row.price_amount, row.currency),
    attribution: encodeAttribution({ noteId: null, liveSessionId: null, creatorId, productId }),
    addedAt: String(row.created_at),
  };
}

/** Adds the product (again: no change); 404 for a product not on sale, 409 for one under no plan open to the creator. */
export async function addToShowcase(db: Database, creatorId: string, productId: string): Promise<ShowcaseItem> {
  const now = new Date().toISOString();
  const [product, , item] = await db.$client.batch(
    [
      {
        sql: `SELECT status, ${promotableSql({ creator: ":creator", product: ":product", at: ":now" })} AS promotable
              FROM products WHERE id = :product`,
        args: { creator: creatorId, product: productId, now },
      },
      {
        sql: `INSERT INTO showcase_items (creator_id, product_id, created_at)
              SELECT :creator, :product, :now
              WHERE EXISTS (SELECT 1 FROM products WHERE id = :product AND status = 'active')
                AND ${promotableSql({ creator: ":creator", product: ":product", at: ":now" })}
              ON CONFLICT DO NOTHING`,
        args: { creator: creatorId, product: productId, now },
      },
      {
        sql: `${itemSql("s.creator_id = :creator AND s.product_id = :product")}`,
        args: { creator: creatorId, product: productId, now },
      },
    ],
    "write",
  );
  if (product?.rows[0]?.status !== "active")
    throw new ProblemError("not_found", `Product ${productId} does not exist.`);
  const row = item?.rows[0];
  if (!row) {
    throw new ProblemError(
      "conflict",
      `Product ${productId} is under no affiliate plan open to you: only products of an open plan, or of a targeted plan you accepted, go in a showcase.`,
    );
  }
  return toItem(row);
}

/** Removes the product (idempotent). */
export async function removeFromShowcase(db: Database, creatorId: string, productId: string): Promise<void> {
  await db.$client.execute({
    sql: "DELETE FROM showcase_items WHERE creator_id = ? AND product_id = ?",
    args: [creatorId, productId],
  });
}

/** The creator's showcase, newest product first (`limit + 1` rows); 404 for an unknown creator. */
export async function readShowcase(
  db: Database,
  creatorId: string,
  query: { after?: string | undefined; limit: number },
): Promise<ShowcaseItem[]> {
  const now = new Date().toISOString();
  const [creator, items] = await db.$client.batch(
    [
      { sql: "SELECT 1 FROM creators WHERE id = ?", args: [creatorId] },
      {
        sql: `${itemSql("s.creator_id = :creator AND (:after IS NULL OR s.product_id < :after)")}
              ORDER BY s.product_id DESC LIMIT :limit`,
        args: { creator: creatorId, after: query.after ?? null, limit: query.limit, now },
      },
    ],
    "read",
  );
  if (!creator?.rows[0]) throw new ProblemError("not_found", `Creator ${creatorId} does not exist.`);
  return (items?.rows ?? []).map(toItem);
}
