// checkoutCart: a cart becomes an order awaiting payment, with its payment, in ONE libSQL batch: each regular line's
// ledger row and stock decrement (CHECK stock >= 0 aborts all), the order, its discounts and its coupon claims. Before
// it, in this order: the payment timeout is armed, held lines are committed in their sales' objects under the order
// id, and the payment is opened with its provider; a failure before the batch gives the holds back.
// Design: docs/design/checkout.md
import type { LibsqlError } from "@libsql/client/web";
import { eq, sql } from "drizzle-orm";
import { type Attribution, resolveAttribution } from "#shared/attribution.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { log } from "#shared/log.ts";
import type { Currency } from "#shared/money.ts";
import { orders } from "#shared/schema.ts";
import { inventoryLowEvent, orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { paymentTimeoutSeconds } from "../config.ts";
import { stockOfHold } from "../flash-sales/shards.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import type { CartPromotions } from "../promotions/apply.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { openCart } from "./add-cart-line.ts";
import { cartPromotions, type PricedLine, priceLines, type Totals, totalsOf } from "./cart.ts";

const pad = (n: number) => String(n).padStart(2, "0");
/** The day of an order number (ZC-<yyyymmdd>-…), UTC. */
export const dayOf = (at: Date) => `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;

export async function checkoutCart({
  env,
  db,
  cartId,
  ownerId,
  provider,
}: {
  env: Env;
  db: Database;
  cartId: string;
  ownerId: string;
  provider: PaymentProvider;
}): Promise<{ orderId: string }> {
  const cart = await openCart(db, cartId, ownerId);
  if (cart.status !== "open") {
    const order = await db.query.orders.findFirst({ where: eq(orders.cartId, cartId) });
    throw new ProblemError("conflict", `Cart ${cartId} has been checked out${order ? ` as order ${order.id}` : ""}.`);
  }
  const lines = await priceLines(env, db, cartId);
  if (lines.length === 0 || cart.currency === null || cart.merchantId === null) {
    throw new ProblemError("conflict", `Cart ${cartId} is empty.`);
  }
  lines.forEach((line, i) => {
    if (line.productStatus !== "active") {
      throw new ProblemError("conflict", `${line.title} is no longer for sale; remove it from the cart.`, {
        errors: [{ path: `/lines/${i}`, message: "no longer for sale" }],
      });
    }
    if (line.hold && line.hold.status !== "held" && line.hold.status !== "committed") {
      throw new ProblemError("conflict", `The flash-sale hold ${line.hold.id} is ${line.hold.status}; reserve again.`, {
        errors: [{ path: `/lines/${i}`, message: `hold ${line.hold.status}` }],
      });
    }
  });

  const promotions = await cartPromotions(db, cart, lines, true);
  const credited = await Promise.all(lines.map((line) => creditOf(db, line)));
  const now = new Date();
  const orderId = newId("ord", now.getTime());
  const dueAt = new Date(now.getTime() + paymentTimeoutSeconds(env) * 1000);
  const held = lines.filter((line): line is PricedLine & { hold: NonNullable<PricedLine["hold"]> } => !!line.hold);
  const holds = held.map((line) => ({ flashSaleId: line.hold.flashSaleId, holdId: line.hold.id }));
  await env.ORDER_DEADLINES.getByName(orderId).arm(orderId, dueAt.getTime(), holds);

  let opened: { reference: string | null; clientSecret: string | null } | null = null;
  const committed: typeof held = [];
  let writing = false;
  try {
    for (const line of held) {
      const stock = stockOfHold(env, line.hold.flashSaleId, line.hold.id);
      const result = await stock.commit(line.hold.id, ownerId, orderId);
      if (!result.ok) {
        const why =
          result.reason === "committed_elsewhere"
            ? `is in another checkout of this cart or another order`
            : "has expired or was given back";
        throw new ProblemError("conflict", `The flash-sale hold ${line.hold.id} ${why}.`, {
          errors: [{ path: `/lines/${lines.indexOf(line)}`, message: "hold no longer held" }],
        });
      }
      committed.push(line);
    }
    const paymentId = newId("pay", now.getTime());
    const totals = totalsOf(lines, cart.currency as Currency, env, promotions);
    opened = await provider.createPayment({
      id: paymentId,
      orderId,
      cartId,
      amount: totals.total.amount,
      currency: totals.total.currency,
    });
    writing = true;
    await writeOrder({
      db,
      cartId,
      ownerId,
      livemode: cart.livemode,
      merchantId: cart.merchantId,
      currency: cart.currency as Currency,
      lines,
      credited,
      orderId,
      now,
      dueAt,
      payment: { id: paymentId, provider: provider.name, ...opened },
      totals,
      promotions,
    });
  } catch (err) {
    // Refused (sold out, checked out meanwhile) or failed before the batch: the order was not written. After any
    // other error the write may have happened: leave the holds and the payment (the order's timeout settles both).
    const unwritten = !writing || err instanceof ProblemError;
    await Promise.all([
      ...(unwritten ? committed : []).map((line) =>
        stockOfHold(env, line.hold.flashSaleId, line.hold.id).uncommit(line.hold.id, orderId),
      ),
      // Its payment will never be confirmed: let the provider close it.
      opened && err instanceof ProblemError ? provider.cancelPayment(opened.reference) : undefined,
    ]);
    throw err;
  }
  return { orderId };
}

async function writeOrder(input: {
  db: Database;
  cartId: string;
  ownerId: string;
  /** The cart's mode: its order and payment are of it. */
  livemode: boolean;
  merchantId: string;
  currency: Currency;
  lines: PricedLine[];
  credited: (Attribution | null)[];
  orderId: string;
  now: Date;
  dueAt: Date;
  payment: { id: string; provider: string; reference: string | null; clientSecret: string | null };
  totals: Totals;
  promotions: CartPromotions;
}): Promise<void> {
  const { db, lines, credited, orderId, now, totals, promotions } = input;
  const at = now.toISOString();
  const day = dayOf(now);
  const regular = lines.filter((line) => !line.hold);
  const statements = [
    {
      sql: "INSERT INTO order_number_counters (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1",
      args: [day],
    },
    {
      sql: `INSERT INTO orders (id, number, cart_id, owner_id, livemode, merchant_id, status, currency, subtotal_amount,
                                discount_amount, shipping_amount, tax_amount, total_amount, payment_due_at,
                                created_at, updated_at)
            VALUES (?, 'ZC-' || ? || '-' || printf('%06d', (SELECT last FROM order_number_counters WHERE day = ?)),
                    ?, ?, ?, ?, 'pending_payment', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        orderId,
        day,
        day,
        input.cartId,
        input.ownerId,
        input.livemode ? 1 : 0,
        input.merchantId,
        input.currency,
        totals.subtotal.amount,
        promotions.total,
        totals.shipping.amount,
        totals.tax.amount,
        totals.total.amount,
        input.dueAt.toISOString(),
        at,
        at,
      ],
    },
    ...lines.map((line, position) => ({
      sql: `INSERT INTO order_lines (order_id, position, sku_id, product_id, title, quantity, unit_amount, hold_id,
                                     flash_sale_id, attribution, note_id, live_session_id, creator_id, discount_amount)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        orderId,
        position,
        line.skuId,
        line.productId,
        line.title,
        line.quantity,
        line.unitPrice.amount,
        line.hold?.id ?? null,
        line.flashSaleId,
        line.attribution,
        credited[position]?.noteId ?? null,
        credited[position]?.liveSessionId ?? null,
        credited[position]?.creatorId ?? null,
        promotions.lineDiscounts[position] ?? 0,
      ],
    })),
    ...discountStatements(orderId, input.ownerId, promotions, at),
    // Regular lines: the ledger row, then the decrement the CHECK (stock >= 0) may refuse, aborting everything.
    ...regular.flatMap((line) => [
      {
        sql: `INSERT INTO inventory_ledger (id, sku_id, delta, reason, idempotency_key, created_at)
              VALUES (?, ?, ?, 'order', ?, ?)`,
        args: [newId("led", now.getTime()), line.skuId, -line.quantity, orderId, at],
      },
      { sql: "UPDATE skus SET stock = stock - ? WHERE id = ?", args: [line.quantity, line.skuId] },
      {
        sql: "UPDATE products SET version = version + 1, updated_at = ? WHERE id = ?",
        args: [at, line.productId],
      },
    ]),
    {
      sql: `INSERT INTO payments (id, order_id, livemode, provider, provider_reference, client_secret, status, amount,
                                  currency, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'requires_payment', ?, ?, ?, ?)`,
      args: [
        input.payment.id,
        orderId,
        input.livemode ? 1 : 0,
        input.payment.provider,
        input.payment.reference,
        input.payment.clientSecret,
        totals.total.amount,
        input.currency,
        at,
        at,
      ],
    },
    {
      sql: "UPDATE carts SET status = 'checked_out', version = version + 1, updated_at = ? WHERE id = ?",
      args: [at, input.cartId],
    },
  ];
  // Webhook events in the same transaction: the order, and each regular SKU whose stock fell below a threshold.
  const events = [
    orderEvent("order.created", orderId, sql`true`, now),
    ...regular.map((line) => inventoryLowEvent(line.skuId, -line.quantity, sql`true`, now)),
  ];
  try {
    const results = await db.$client.batch([...statements, ...rawStatements(events.flat())], "write");
    kickDispatchers(results);
  } catch (err) {
    const message = (err as LibsqlError).message ?? "";
    if (message.includes("order_discounts_claim")) {
      throw new ProblemError(
        "coupon_not_claimed",
        "A coupon's claim was used by another order meanwhile; nothing was charged.",
        {
          errors: [{ path: "/couponIds", message: "no unused claim left" }],
        },
      );
    }
    if (message.includes("skus_stock_nonnegative") || message.includes("CHECK constraint failed")) {
      const short = await shortLines(db, lines);
      throw new ProblemError("sold_out", "Some items do not have enough stock left; nothing was taken.", {
        errors: short.map(({ index, stock }) => ({ path: `/lines/${index}/quantity`, message: `only ${stock} left` })),
      });
    }
    if (message.includes("UNIQUE constraint failed: orders.cart_id")) {
      throw new ProblemError("conflict", `Cart ${input.cartId} has been checked out.`);
    }
    throw err;
  }
}

/** The order's discounts, step by step; each coupon's oldest unused claim of the shopper marked used by the order. */
function discountStatements(orderId: string, ownerId: string, promotions: CartPromotions, at: string) {
  return promotions.discounts.flatMap((d, step) => {
    const args = { order: orderId, owner: ownerId, step, source: d.sourceId, at };
    const coupon = d.kind !== "spend_and_save";
    return [
      {
        sql: `INSERT INTO order_discounts (order_id, step, kind, source_id, label, amount, funded_by, allocation, claim_seq)
              VALUES (:order, :step, :kind, :source, :label, :amount, :funded, :allocation, ${
                coupon
                  ? `(SELECT min(seq) FROM coupon_claims
                      WHERE coupon_id = :source AND owner_id = :owner AND order_id IS NULL)`
                  : "NULL"
              })`,
        args: {
          ...args,
          kind: d.kind,
          label: d.label,
          amount: d.amount,
          funded: d.fundedBy,
          allocation: JSON.stringify(d.allocation),
        },
      },
      ...(coupon
        ? [
            {
              sql: `UPDATE coupon_claims SET order_id = :order, used_at = :at
                    WHERE coupon_id = :source AND owner_id = :owner
                    AND seq = (SELECT claim_seq FROM order_discounts WHERE order_id = :order AND step = :step)`,
              args,
            },
          ]
        : []),
    ];
  });
}

async function shortLines(db: Database, lines: PricedLine[]): Promise<{ index: number; stock: number }[]> {
  const out: { index: number; stock: number }[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.hold) continue;
    const rows = await db.$client.execute({ sql: "SELECT stock FROM skus WHERE id = ?", args: [line.skuId] });
    const stock = Number(rows.rows[0]?.stock ?? 0);
    if (stock < line.quantity) out.push({ index, stock });
  }
  return out;
}

/** Whom a line's sale credits: its attribution if the note or session still vouches for it, else no one. */
async function creditOf(db: Database, line: PricedLine): Promise<Attribution | null> {
  if (line.attribution === null) return null;
  const result = await resolveAttribution(db, line.attribution, line.productId);
  if (result.ok) return result.attribution;
  log("info", "attribution not credited", { productId: line.productId, reason: result.reason });
  return null;
}
