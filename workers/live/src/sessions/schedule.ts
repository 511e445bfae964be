// scheduleSession: a creator or a merchant's store schedules a live session with its product shelf, in one batch.
// A creator may shelve only active products whose product and merchant allow promotion, at the product's
// commission rate (else the merchant's), fixed on the shelf; a merchant only its own active products.
import type { z } from "@hono/zod-openapi";
import { eq, inArray } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { type FieldError, ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import { liveSessionModerators, liveSessionProducts, liveSessions, merchants, products } from "#shared/schema.ts";
import type { LiveSessionCreateSchema } from "./session.ts";

export type SessionHost = { type: "creator"; creatorId: string } | { type: "merchant"; merchantId: string };

export type ShelfRow = { productId: string; position: number; commissionRateBps: number | null };

/** The shelf for these products in order, or a validation problem naming each product that cannot be shelved. */
export async function checkShelf(db: Database, host: SessionHost, productIds: string[]): Promise<ShelfRow[]> {
  const found = productIds.length
    ? await db
        .select({ product: products, merchant: merchants })
        .from(products)
        .innerJoin(merchants, eq(merchants.id, products.merchantId))
        .where(inArray(products.id, productIds))
    : [];
  const byId = new Map(found.map((r) => [r.product.id, r]));
  const errors: FieldError[] = [];
  const shelf = productIds.map((productId, position) => {
    const row = byId.get(productId);
    const path = `/productIds/${position}`;
    if (row?.product.status !== "active" || row.merchant.status !== "active") {
      errors.push({ path, message: "no such active product" });
      return null;
    }
    if (host.type === "merchant") {
      if (row.product.merchantId !== host.merchantId) errors.push({ path, message: "no such active product" });
      return { productId, position: position + 1, commissionRateBps: null };
    }
    if (!row.product.allowsPromotion || !row.merchant.allowsPromotion) {
      errors.push({ path, message: "its merchant does not allow creators to promote it" });
      return null;
    }
    return {
      productId,
      position: position + 1,
      commissionRateBps: row.product.commissionRateBps ?? row.merchant.commissionRateBps,
    };
  });
  if (errors.length > 0) {
    throw new ProblemError("validation_failed", "Some products cannot be shelved in the live session.", { errors });
  }
  return shelf.flatMap((s) => (s ? [s] : []));
}

export async function scheduleSession({
  db,
  host,
  input,
  now = new Date(),
}: {
  db: Database;
  host: SessionHost;
  input: z.infer<typeof LiveSessionCreateSchema>;
  now?: Date;
}): Promise<typeof liveSessions.$inferSelect> {
  const shelf = await checkShelf(db, host, input.productIds);
  const id = newId("live", now.getTime());
  const row: typeof liveSessions.$inferSelect = {
    id,
    hostType: host.type,
    creatorId: host.type === "creator" ? host.creatorId : null,
    merchantId: host.type === "merchant" ? host.merchantId : null,
    title: input.title,
    searchPinyin: searchPinyin(input.title),
    coverUrl: input.coverUrl ?? null,
    status: "scheduled",
    scheduledStartAt: new Date(input.scheduledStartAt).toISOString(),
    startedAt: null,
    endedAt: null,
    createdAt: now.toISOString(),
    version: 1,
  };
  const shelfRows = shelf.map((s) => ({ sessionId: id, ...s }));
  const moderatorRows = input.moderatorIds.map((personId) => ({ sessionId: id, personId }));
  await db.batch([
    db.insert(liveSessions).values(row),
    ...(shelfRows.length ? [db.insert(liveSessionProducts).values(shelfRows)] : []),
    ...(moderatorRows.length ? [db.insert(liveSessionModerators).values(moderatorRows)] : []),
  ]);
  return row;
}
