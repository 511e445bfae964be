// applyCoupons: the cart's coupons replaced by those named, checked as checkout will check them (a coupon that does
// not apply is its 409 and nothing changes), and the cart priced with them.
import { eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { carts } from "#shared/schema.ts";
import { openCart, requireOpen } from "./add-cart-line.ts";
import { cartPromotions, priceLines, toCart } from "./cart.ts";

export async function applyCoupons({
  env,
  db,
  cartId,
  ownerId,
  couponIds,
}: {
  env: Env;
  db: Database;
  cartId: string;
  ownerId: string;
  couponIds: string[];
}) {
  const cart = await openCart(db, cartId, ownerId);
  requireOpen(cart);
  const row = { ...cart, couponIds };
  const lines = await priceLines(env, db, cartId);
  const promotions = await cartPromotions(db, row, lines, true);
  await db
    .update(carts)
    .set({ couponIds, version: cart.version + 1, updatedAt: new Date().toISOString() })
    .where(eq(carts.id, cartId));
  return toCart(row, lines, env, promotions);
}
