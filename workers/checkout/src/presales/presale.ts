// The API shape of pre-sales with deposit (定金预售) and their orders, declared once, and reading them.
import { z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { currencies, moneyIn } from "#shared/money.ts";
import { idOf, MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { orderLines, orders, payments, presaleOrders, presales } from "#shared/schema.ts";
import { OrderSchema, PaymentSchema, toOrder, toPayment } from "../orders/order.ts";

const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .openapi({ example: "2026-11-11T00:00:00.000Z" });

const money = (description: string) =>
  z
    .object({ amount: z.number().int().min(1).max(100_000_000_00), currency: z.enum(currencies) })
    .strict()
    .openapi({ description });

export const PresaleCreateSchema = z
  .object({
    skuId: idOf("sku"),
    quantity: z.number().int().min(1).max(10_000_000).openapi({
      description: "Units the pre-sale may sell; each order takes its units from the SKU's stock when placed.",
    }),
    price: money("The full price per unit; its currency must be the SKU's."),
    deposit: money("What the shopper pays per unit in the deposit window."),
    deduction: money(
      "What the paid deposit is worth off the price per unit (at least the deposit, less than the price): pay 100, deduct 150.",
    ),
    perShopperLimit: z.number().int().min(1).max(100).default(1),
    campaignId: idOf("cmp")
      .optional()
      .openapi({ description: "The campaign whose main day opens the balance (its default balance window)." }),
    depositStartsAt: instant,
    depositEndsAt: instant,
    balanceStartsAt: instant.optional().openapi({ description: "Default: the campaign's main day start." }),
    balanceEndsAt: instant.optional().openapi({ description: "Default: the campaign's end." }),
  })
  .strict()
  .superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    for (const field of ["deposit", "deduction"] as const) {
      if (input[field].currency !== input.price.currency) issue(field, `must be in ${input.price.currency}`);
    }
    if (input.deduction.amount < input.deposit.amount) issue("deduction", "must be at least the deposit");
    if (input.deduction.amount >= input.price.amount) issue("deduction", "must be less than the price");
    if (input.depositEndsAt <= input.depositStartsAt) issue("depositEndsAt", "must be after depositStartsAt");
  })
  .openapi("PresaleCreate");

export type PresaleCreate = z.infer<typeof PresaleCreateSchema>;

export const presaleStatuses = ["scheduled", "deposit_open", "awaiting_balance", "balance_open", "ended"] as const;

export const PresaleSchema = z
  .object({
    ...resourceFields("presale", "pre"),
    merchantId: z.string(),
    skuId: z.string(),
    campaignId: z.string().nullable(),
    price: MoneySchema,
    deposit: MoneySchema,
    deduction: MoneySchema,
    balance: MoneySchema.openapi({ description: "Price less deduction, per unit: due in the balance window." }),
    quantity: z.number().int(),
    left: z.number().int().openapi({ description: "Units not in an order (cancelled and forfeited ones come back)." }),
    perShopperLimit: z.number().int(),
    status: z.enum(presaleStatuses),
    depositStartsAt: z.string(),
    depositEndsAt: z.string(),
    balanceStartsAt: z.string(),
    balanceEndsAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("Presale");

export type Presale = z.infer<typeof PresaleSchema>;
type PresaleRow = typeof presales.$inferSelect;

export function presaleStatus(row: PresaleRow, now: Date): Presale["status"] {
  const at = now.toISOString();
  if (at < row.depositStartsAt) return "scheduled";
  if (at < row.depositEndsAt) return "deposit_open";
  if (at < row.balanceStartsAt) return "awaiting_balance";
  return at < row.balanceEndsAt ? "balance_open" : "ended";
}

export function toPresale(row: PresaleRow, now: Date): Presale {
  const m = moneyIn(row.currency);
  return {
    id: row.id,
    object: "presale",
    merchantId: row.merchantId,
    skuId: row.skuId,
    campaignId: row.campaignId,
    price: m(row.priceAmount),
    deposit: m(row.depositAmount),
    deduction: m(row.deductionAmount),
    balance: m(Math.max(0, row.priceAmount - row.deductionAmount)),
    quantity: row.quantity,
    left: row.quantity - row.taken,
    perShopperLimit: row.perShopperLimit,
    status: presaleStatus(row, now),
    depositStartsAt: row.depositStartsAt,
    depositEndsAt: row.depositEndsAt,
    balanceStartsAt: row.balanceStartsAt,
    balanceEndsAt: row.balanceEndsAt,
    createdAt: row.createdAt,
  };
}

export const PresaleOrderSchema = z
  .object({
    object: z.literal("presale_order"),
    presaleId: z.string(),
    order: OrderSchema.openapi({
      description:
        "`pending_deposit` → `deposit_paid` → `pending_balance` (balance window open) → `paid`; or `cancelled` (deposit unpaid in time, or by the merchant, who then refunds the deposit); or `deposit_forfeited` (balance unpaid when its window closed).",
    }),
    quantity: z.number().int(),
    deposit: MoneySchema.openapi({ description: "The deposit for all units (the first payment)." }),
    deduction: MoneySchema.openapi({ description: "What the deposit is worth off the price, for all units." }),
    balance: MoneySchema.openapi({ description: "The balance for all units (the second payment)." }),
    depositPayment: PaymentSchema,
    balancePayment: PaymentSchema.nullable(),
    balanceStartsAt: z.string(),
    balanceEndsAt: z.string(),
    releasedAt: z
      .string()
      .nullable()
      .openapi({ description: "When its units went back to stock (cancelled, forfeited)." }),
  })
  .openapi("PresaleOrder");

export type PresaleOrder = z.infer<typeof PresaleOrderSchema>;

/** A pre-sale order with its order, lines and both payments, in one round trip; null if there is none. */
export async function readPresaleOrder(db: Database, orderId: string): Promise<PresaleOrder | null> {
  const [orderRows, lines, presaleRows, pays] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
    db.select().from(presaleOrders).where(eq(presaleOrders.orderId, orderId)),
    db.select().from(payments).where(eq(payments.orderId, orderId)),
  ]);
  const row = orderRows[0];
  const po = presaleRows[0];
  if (!row || !po) return null;
  const deposit = pays.find((p) => p.id === po.depositPaymentId);
  if (!deposit) throw new Error(`presale order ${orderId}: deposit payment ${po.depositPaymentId} missing`);
  const balance = pays.find((p) => p.id === po.balancePaymentId);
  const m = moneyIn(row.currency);
  return {
    object: "presale_order",
    presaleId: po.presaleId,
    order: toOrder(row, lines, balance ?? deposit),
    quantity: po.quantity,
    deposit: m(po.depositAmount),
    deduction: m(po.deductionAmount),
    balance: m(po.balanceAmount),
    depositPayment: toPayment(deposit),
    balancePayment: balance ? toPayment(balance) : null,
    balanceStartsAt: po.balanceStartsAt,
    balanceEndsAt: po.balanceEndsAt,
    releasedAt: po.releasedAt,
  };
}

/** What the steps of a pre-sale order need to know about it (its order's status, windows and payments). */
export async function presaleOrderState(db: Database, orderId: string) {
  const [row] = await db
    .select({
      status: orders.status,
      ownerId: orders.ownerId,
      merchantId: orders.merchantId,
      cartId: orders.cartId,
      currency: orders.currency,
      paymentDueAt: orders.paymentDueAt,
      presaleId: presaleOrders.presaleId,
      quantity: presaleOrders.quantity,
      balanceAmount: presaleOrders.balanceAmount,
      depositPaymentId: presaleOrders.depositPaymentId,
      balancePaymentId: presaleOrders.balancePaymentId,
      balanceStartsAt: presaleOrders.balanceStartsAt,
      balanceEndsAt: presaleOrders.balanceEndsAt,
      skuId: presales.skuId,
    })
    .from(orders)
    .innerJoin(presaleOrders, eq(presaleOrders.orderId, orders.id))
    .innerJoin(presales, eq(presales.id, presaleOrders.presaleId))
    .where(eq(orders.id, orderId));
  return row ? { ...row, orderId } : null;
}

export type PresaleOrderState = NonNullable<Awaited<ReturnType<typeof presaleOrderState>>>;
