// addCartLine: a SKU at the catalogue price (the same SKU again adds to its line), or a flash-sale hold at the
// sale's price (its own line, its quantity the hold's). One merchant and one currency per cart: the first line
// sets them. A hold must be the caller's, live, and for this SKU.
import { and, eq, sql } from "drizzle-orm";
import { decodeAttribution } from "#shared/attribution.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { cartLines, carts, products, skus } from "#shared/schema.ts";
import { stockOfHold } from "../flash-sales/shards.ts";

export const MAX_LINE_QUANTITY = 999;

export interface LineInput {
  skuId: string;
  quantity?: number | undefined;
  flashSaleId?: string | undefined;
  holdId?: string | undefined;
  attribution?: string | undefined;
}

/** The caller's open cart, or 404 (someone else's cart is as unknown as a missing one); 409 once checked out. */
export async function openCart(db: Database, cartId: string, ownerId: string) {
  const cart = await db.query.carts.findFirst({ where: and(eq(carts.id, cartId), eq(carts.ownerId, ownerId)) });
  if (!cart) throw new ProblemError("not_found", `Cart ${cartId} does not exist.`);
  return cart;
}

export function requireOpen(cart: typeof carts.$inferSelect): void {
  if (cart.status !== "open") throw new ProblemError("conflict", `Cart ${cart.id} has been checked out.`);
}

export async function addCartLine({
  env,
  db,
  cartId,
  ownerId,
  input,
}: {
  env: Env;
  db: Database;
  cartId: string;
  ownerId: string;
  input: LineInput;
}): Promise<void> {
  const cart = await openCart(db, cartId, ownerId);
  requireOpen(cart);
  const [sku] = await db
    .select({
      id: skus.id,
      productId: skus.productId,
      currency: skus.currency,
      merchantId: products.merchantId,
      status: products.status,
    })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(skus.id, input.skuId));
  if (sku?.status !== "active") {
    throw new ProblemError("not_found", `SKU ${input.skuId} is not for sale.`, {
      errors: [{ path: "/skuId", message: "no such SKU for sale" }],
    });
  }
  if (input.attribution !== undefined) {
    // Only the form is checked here; checkout re-reads the note or session before crediting anyone.
    const decoded = decodeAttribution(input.attribution);
    const problem = !decoded.ok
      ? `is ${decoded.reason === "checksum" ? "damaged" : "malformed"}`
      : decoded.attribution.productId !== sku.productId
        ? `is for product ${decoded.attribution.productId}, not ${sku.productId}`
        : null;
    if (problem) {
      throw new ProblemError("validation_failed", `The attribution reference ${problem}.`, {
        errors: [{ path: "/attribution", message: problem }],
      });
    }
  }
  if (cart.merchantId !== null && cart.merchantId !== sku.merchantId) {
    throw new ProblemError("conflict", "A cart holds one merchant's products; start another cart for this one.", {
      errors: [{ path: "/skuId", message: `sold by another merchant than ${cart.merchantId}` }],
    });
  }
  if (cart.currency !== null && cart.currency !== sku.currency) {
    throw new ProblemError("conflict", `This cart is in ${cart.currency}; the SKU is priced in ${sku.currency}.`, {
      errors: [{ path: "/skuId", message: `priced in ${sku.currency}` }],
    });
  }

  let lineId = sku.id;
  let quantity = input.quantity ?? 1;
  if (input.holdId !== undefined && input.flashSaleId !== undefined) {
    if (!ownerId.startsWith("shp_") && !ownerId.startsWith("cre_")) {
      throw new ProblemError("unauthorized", "Flash-sale holds belong to signed-in shoppers.");
    }
    const result = await stockOfHold(env, input.flashSaleId, input.holdId).getHold(input.holdId, ownerId);
    if (!result.ok) {
      throw new ProblemError("not_found", `Hold ${input.holdId} does not exist.`, {
        errors: [{ path: "/holdId", message: "no such hold of yours" }],
      });
    }
    const hold = result.hold;
    if (hold.skuId !== sku.id) {
      throw new ProblemError("validation_failed", `Hold ${hold.id} is for SKU ${hold.skuId}.`, {
        errors: [{ path: "/skuId", message: `must be ${hold.skuId}, the hold's SKU` }],
      });
    }
    if (input.quantity !== undefined && input.quantity !== hold.quantity) {
      throw new ProblemError("validation_failed", `Hold ${hold.id} is for ${hold.quantity} units.`, {
        errors: [{ path: "/quantity", message: `must be ${hold.quantity}, the hold's quantity` }],
      });
    }
    if (hold.status !== "held") {
      throw new ProblemError("conflict", `Hold ${hold.id} is ${hold.status}; reserve again.`, {
        errors: [{ path: "/holdId", message: `is ${hold.status}` }],
      });
    }
    lineId = hold.id;
    quantity = hold.quantity;
  }

  const at = new Date().toISOString();
  const held = lineId !== sku.id;
  const [written] = await db.batch([
    db
      .insert(cartLines)
      .values({
        cartId,
        lineId,
        skuId: sku.id,
        quantity,
        holdId: held ? lineId : null,
        flashSaleId: held ? (input.flashSaleId ?? null) : null,
        attribution: input.attribution ?? null,
        createdAt: at,
      })
      .onConflictDoUpdate({
        target: [cartLines.cartId, cartLines.lineId],
        // The same SKU again adds to its line (a hold's line stays as it is); a newer attribution wins.
        set: held
          ? { attribution: sql`coalesce(excluded.attribution, ${cartLines.attribution})` }
          : {
              quantity: sql`${cartLines.quantity} + excluded.quantity`,
              attribution: sql`coalesce(excluded.attribution, ${cartLines.attribution})`,
            },
        // A line past the bound is refused below, never clamped: the row is left as it was.
        setWhere: held ? undefined : sql`${cartLines.quantity} + excluded.quantity <= ${MAX_LINE_QUANTITY}`,
      })
      .returning({ quantity: cartLines.quantity }),
    // changes(): the line's write above, so a refused line leaves the cart's version as it was too.
    db
      .update(carts)
      .set({
        merchantId: sku.merchantId,
        currency: sku.currency,
        version: sql`${carts.version} + 1`,
        updatedAt: at,
      })
      .where(and(eq(carts.id, cartId), sql`changes() > 0`)),
  ]);
  if (written.length === 0) {
    const line = await db.query.cartLines.findFirst({
      where: and(eq(cartLines.cartId, cartId), eq(cartLines.lineId, lineId)),
    });
    const has = line?.quantity ?? 0;
    throw new ProblemError(
      "validation_failed",
      `A line holds at most ${MAX_LINE_QUANTITY} units; this one has ${has}.`,
      {
        errors: [
          { path: "/quantity", message: `out of range: at most ${MAX_LINE_QUANTITY - has} more (the line has ${has})` },
        ],
      },
    );
  }
}
