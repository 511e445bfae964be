// updateProduct: a merchant changes its own product; the version check and the write are one conditional UPDATE,
// so two editors holding the same ETag cannot both win.
import type { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { checkIfMatch, etagOf } from "#shared/etag.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { products } from "#shared/schema.ts";
import type { ProductUpdateSchema } from "./product.ts";

/** The merchant's own product row, or 404 (another merchant's product is indistinguishable from a missing one). */
export async function ownProduct(db: Database, merchantId: string, id: string) {
  const row = await db.query.products.findFirst({
    where: and(eq(products.id, id), eq(products.merchantId, merchantId)),
  });
  if (!row) throw new ProblemError("not_found", `Product ${id} does not exist.`);
  return row;
}

export async function updateProduct({
  db,
  merchantId,
  id,
  ifMatch,
  patch,
}: {
  db: Database;
  merchantId: string;
  id: string;
  /** The client's If-Match header, naming the version it read; undefined when it sent none. */
  ifMatch: string | undefined;
  patch: z.infer<typeof ProductUpdateSchema>;
}) {
  const current = await ownProduct(db, merchantId, id);
  checkIfMatch(ifMatch, etagOf(current));
  const [updated] = await db
    .update(products)
    .set({
      ...patch,
      ...(patch.title !== undefined ? { searchPinyin: searchPinyin(patch.title) } : {}),
      version: sql`${products.version} + 1`,
      updatedAt: new Date().toISOString(),
    })
    .where(and(eq(products.id, id), eq(products.version, current.version)))
    .returning();
  if (!updated) {
    throw new ProblemError(
      "precondition_failed",
      `Product ${id} changed while this update was being made; read it again and retry.`,
    );
  }
  return updated;
}

/** Bumps a product's version after a change to one of its SKUs, so its ETag changes too. */
export function touchProduct(db: Database, productId: string) {
  return db
    .update(products)
    .set({ version: sql`${products.version} + 1`, updatedAt: new Date().toISOString() })
    .where(eq(products.id, productId));
}
