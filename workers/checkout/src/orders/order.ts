// The API shape of orders and their payments, declared once, and reading an order with its lines and payment.
import { z } from "@hono/zod-openapi";
import { asc, desc, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { type Currency, money } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { orderDiscounts, orderLines, orders, payments } from "#shared/schema.ts";
import { TotalsSchema } from "../carts/cart.ts";

/** Every order status, as the schema declares them (shared/schema.ts: pre-sale orders add four). */
export const orderStatuses = orders.status.enumValues;
export type OrderStatus = (typeof orderStatuses)[number];

export const PaymentSchema = z
  .object({
    ...resourceFields("payment"),
    orderId: z.string(),
    livemode: z
      .boolean()
      .openapi({ description: "true: a live-mode payment; false: test mode (sandbox or Stripe test)." }),
    provider: z.string().openapi({ example: "sandbox" }),
    status: z.enum(["requires_payment", "processing", "succeeded", "failed"]),
    amount: MoneySchema,
    clientSecret: z.string().nullable().openapi({
      description:
        "Stripe: the PaymentIntent's client secret, for the storefront to confirm the payment with Stripe.js. Null for sandbox.",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Payment");

export const OrderLineSchema = z
  .object({
    skuId: z.string(),
    productId: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    unitPrice: MoneySchema,
    amount: MoneySchema,
    discount: MoneySchema.openapi({ description: "The line's share of the order's discounts." }),
    paid: MoneySchema.openapi({ description: "amount − discount: what a refund of the whole line gives back." }),
    holdId: z.string().nullable(),
    flashSaleId: z.string().nullable(),
    attribution: z.string().nullable(),
    credit: z
      .object({ noteId: z.string().nullable(), liveSessionId: z.string().nullable(), creatorId: z.string().nullable() })
      .nullable()
      .openapi({
        description: "Where the sale came from, as checkout verified the attribution; null when none held.",
      }),
  })
  .openapi("OrderLine");

export const OrderSchema = z
  .object({
    ...resourceFields("order"),
    number: z.string().openapi({ example: "ZC-20261111-000123" }),
    livemode: z.boolean().openapi({
      description: "true: a live-mode order (live keys and sessions only); false: test mode. Never both.",
    }),
    status: z.enum(orderStatuses),
    merchantId: z.string(),
    customerId: z.string().openapi({ description: "The shopper's id, or `guest:<publishable key id>`." }),
    cartId: z.string(),
    currency: z.string(),
    lines: z.array(OrderLineSchema),
    totals: TotalsSchema,
    payment: PaymentSchema.nullable(),
    paymentDueAt: z.string().openapi({ description: "Unpaid by then, the order is cancelled and its stock released." }),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
    fulfilledAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
  })
  .openapi("Order");

export type Order = z.infer<typeof OrderSchema>;
export type Payment = z.infer<typeof PaymentSchema>;

export function toPayment(row: typeof payments.$inferSelect): Payment {
  return {
    id: row.id,
    object: "payment",
    orderId: row.orderId,
    livemode: row.livemode,
    provider: row.provider,
    status: row.status,
    amount: money(row.amount, row.currency),
    clientSecret: row.clientSecret,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toOrder(
  row: typeof orders.$inferSelect,
  lines: (typeof orderLines.$inferSelect)[],
  payment: typeof payments.$inferSelect | undefined,
  discounts: (typeof orderDiscounts.$inferSelect)[] = [],
): Order {
  const currency = row.currency as Currency;
  const m = (amount: number) => ({ amount, currency });
  return {
    id: row.id,
    object: "order",
    number: row.number,
    livemode: row.livemode,
    status: row.status,
    merchantId: row.merchantId,
    customerId: row.ownerId,
    cartId: row.cartId,
    currency: row.currency,
    lines: lines.map((line) => ({
      skuId: line.skuId,
      productId: line.productId,
      title: line.title,
      quantity: line.quantity,
      unitPrice: m(line.unitAmount),
      amount: m(line.unitAmount * line.quantity),
      discount: m(line.discountAmount),
      paid: m(line.unitAmount * line.quantity - line.discountAmount),
      holdId: line.holdId,
      flashSaleId: line.flashSaleId,
      attribution: line.attribution,
      credit:
        line.noteId === null && line.liveSessionId === null
          ? null
          : { noteId: line.noteId, liveSessionId: line.liveSessionId, creatorId: line.creatorId },
    })),
    totals: {
      subtotal: m(row.subtotalAmount),
      discounts: discounts
        .filter((d) => d.orderId === row.id)
        .sort((a, b) => a.step - b.step)
        .map((d) => ({ code: d.kind, sourceId: d.sourceId, label: d.label, amount: m(d.amount) })),
      shipping: m(row.shippingAmount),
      tax: m(row.taxAmount),
      total: m(row.totalAmount),
    },
    payment: payment ? toPayment(payment) : null,
    paymentDueAt: row.paymentDueAt,
    cancelReason: row.cancelReason,
    createdAt: row.createdAt,
    paidAt: row.paidAt,
    fulfilledAt: row.fulfilledAt,
    deliveredAt: row.deliveredAt,
    cancelledAt: row.cancelledAt,
  };
}

/** An order with its lines and latest payment, in one round trip. */
export async function readOrder(db: Database, orderId: string): Promise<Order | null> {
  const [rows, lines, pays, discounts] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
    db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(desc(payments.id)).limit(1),
    db.select().from(orderDiscounts).where(eq(orderDiscounts.orderId, orderId)),
  ]);
  const row = rows[0];
  return row ? toOrder(row, lines, pays[0], discounts) : null;
}
