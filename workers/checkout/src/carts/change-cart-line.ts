// changeCartLine: a regular line's new quantity, or a line removed (a held line keeps its hold's quantity; removing
// it leaves the hold to the shopper, who may cancel it or let it expire). The last line out frees the cart's
// merchant and currency.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { cartLines, carts } from "#shared/schema.ts";
import { openCart, requireOpen } from "./add-cart-line.ts";

export async function changeCartLine({
  db,
  cartId,
  ownerId,
  lineId,
  quantity,
}: {
  db: Database;
  cartId: string;
  ownerId: string;
  lineId: string;
  /** null removes the line. */
  quantity: number | null;
}): Promise<void> {
  const cart = await openCart(db, cartId, ownerId);
  requireOpen(cart);
  const where = and(eq(cartLines.cartId, cartId), eq(cartLines.lineId, lineId));
  const line = await db.query.cartLines.findFirst({ where });
  if (!line) throw new ProblemError("not_found", `Cart ${cartId} has no line ${lineId}.`);
  if (quantity !== null && line.holdId !== null && quantity !== line.quantity) {
    throw new ProblemError("conflict", `Line ${lineId} is a flash-sale hold for ${line.quantity} units.`, {
      errors: [{ path: "/quantity", message: "a held line's quantity is the hold's" }],
    });
  }
  const at = new Date().toISOString();
  await db.batch([
    quantity === null ? db.delete(cartLines).where(where) : db.update(cartLines).set({ quantity }).where(where),
    db
      .update(carts)
      .set({
        version: sql`${carts.version} + 1`,
        updatedAt: at,
        merchantId: sql`CASE WHEN EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = ${cartId}) THEN ${carts.merchantId} END`,
        currency: sql`CASE WHEN EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = ${cartId}) THEN ${carts.currency} END`,
      })
      .where(eq(carts.id, cartId)),
  ]);
}
