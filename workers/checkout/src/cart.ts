// The API shape of carts and their pricing, declared once. A cart is priced when read: regular lines at the
// catalogue's current price, held lines at their flash sale's price while the hold lasts; totals are structured
// (subtotal, discounts, shipping by the configured rule, tax) in integer minor units of the cart's one currency.
import { z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../../../shared/db.ts";
import { ProblemError } from "../../../shared/errors.ts";
import type { Currency } from "../../../shared/money.ts";
import { MoneySchema } from "../../../shared/openapi.ts";
import { personId, principalOf } from "../../../shared/principal.ts";
import { cartLines, type carts, products, skus } from "../../../shared/schema.ts";
import { type CheckoutConfig, shippingRule } from "./config.ts";
import type { HoldStatus } from "./flash-sale-stock.ts";

/** Who a cart or an order belongs to: the signed-in person, or the storefront for a guest. */
export function customerOf(c: Context): string {
  const { actor, storefront } = principalOf(c);
  if (actor.type === "shopper" || actor.type === "creator") return personId(actor);
  if (actor.type === "anonymous" && storefront) return `guest:${storefront.keyId}`;
  throw new ProblemError(
    "unauthorized",
    "Carts need a storefront's publishable key (a guest) or a shopper's access token.",
  );
}

export const HoldRefSchema = z
  .object({
    id: z.string(),
    flashSaleId: z.string(),
    status: z.enum(["waiting", "held", "committed", "released", "expired"]),
    expiresAt: z.string().nullable(),
  })
  .openapi("CartLineHold");

export const CartLineSchema = z
  .object({
    id: z.string().openapi({ description: "The SKU's id for a regular line, the hold's id for a flash-sale line." }),
    skuId: z.string(),
    productId: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    unitPrice: MoneySchema,
    amount: MoneySchema,
    hold: HoldRefSchema.nullable(),
    attribution: z.string().nullable(),
  })
  .openapi("CartLine");

export const TotalsSchema = z
  .object({
    subtotal: MoneySchema,
    discounts: z.array(z.object({ code: z.string(), label: z.string(), amount: MoneySchema })),
    shipping: MoneySchema,
    tax: MoneySchema.openapi({ description: "0: CNY prices include VAT." }),
    total: MoneySchema,
  })
  .openapi("Totals");

export const CartSchema = z
  .object({
    id: z.string(),
    object: z.literal("cart"),
    status: z.enum(["open", "checked_out"]),
    merchantId: z.string().nullable(),
    currency: z.string().nullable(),
    lines: z.array(CartLineSchema),
    totals: TotalsSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Cart");

export type CartLine = z.infer<typeof CartLineSchema>;
export type Totals = z.infer<typeof TotalsSchema>;
export type Cart = z.infer<typeof CartSchema>;

export interface PricedLine extends CartLine {
  flashSaleId: string | null;
  merchantId: string;
  productStatus: string;
}

export function totalsOf(lines: { amount: { amount: number } }[], currency: Currency, env: CheckoutConfig): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.amount.amount, 0);
  const rule = shippingRule(env);
  const shipping = lines.length === 0 || subtotal >= rule.freeOver ? 0 : rule.fee;
  const m = (amount: number) => ({ amount, currency });
  return { subtotal: m(subtotal), discounts: [], shipping: m(shipping), tax: m(0), total: m(subtotal + shipping) };
}

/** The cart's lines at today's prices; held lines at their sale's price, with their hold as it is now. */
export async function priceLines(env: Env, db: Database, cartId: string): Promise<PricedLine[]> {
  const rows = await db
    .select({
      lineId: cartLines.lineId,
      skuId: cartLines.skuId,
      quantity: cartLines.quantity,
      holdId: cartLines.holdId,
      flashSaleId: cartLines.flashSaleId,
      attribution: cartLines.attribution,
      priceAmount: skus.priceAmount,
      currency: skus.currency,
      productId: skus.productId,
      title: products.title,
      merchantId: products.merchantId,
      productStatus: products.status,
      ownerId: products.merchantId,
    })
    .from(cartLines)
    .innerJoin(skus, eq(skus.id, cartLines.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(cartLines.cartId, cartId))
    .orderBy(asc(cartLines.createdAt), asc(cartLines.lineId));
  return Promise.all(
    rows.map(async (row): Promise<PricedLine> => {
      let unit = row.priceAmount;
      let hold: CartLine["hold"] = null;
      if (row.holdId && row.flashSaleId) {
        const result = await env.FLASH_SALE_STOCK.getByName(row.flashSaleId).getHoldById(row.holdId);
        if (result.ok) {
          unit = result.hold.priceAmount;
          hold = {
            id: row.holdId,
            flashSaleId: row.flashSaleId,
            status: result.hold.status,
            expiresAt: result.hold.expiresAt,
          };
        } else {
          hold = { id: row.holdId, flashSaleId: row.flashSaleId, status: "released" as HoldStatus, expiresAt: null };
        }
      }
      const currency = row.currency as Currency;
      return {
        id: row.lineId,
        skuId: row.skuId,
        productId: row.productId,
        title: row.title,
        quantity: row.quantity,
        unitPrice: { amount: unit, currency },
        amount: { amount: unit * row.quantity, currency },
        hold,
        attribution: row.attribution,
        flashSaleId: row.flashSaleId,
        merchantId: row.merchantId,
        productStatus: row.productStatus,
      };
    }),
  );
}

export function toCart(row: typeof carts.$inferSelect, lines: PricedLine[], env: CheckoutConfig): Cart {
  const currency = (row.currency ?? "CNY") as Currency;
  return {
    id: row.id,
    object: "cart",
    status: row.status,
    merchantId: row.merchantId,
    currency: row.currency,
    lines: lines.map(({ flashSaleId: _f, merchantId: _m, productStatus: _p, ...line }) => line),
    totals: totalsOf(lines, currency, env),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
