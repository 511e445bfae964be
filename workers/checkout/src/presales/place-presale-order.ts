// placePresaleOrder: a shopper's pre-sale order, awaiting its deposit, with the deposit payment opened. ONE libSQL
// batch whose every statement depends on the ledger row taking the units, written only if the deposit window is
// open, the pre-sale and the SKU have the units and the shopper is within the limit; a refusal writes nothing. The
// order's OrderDeadlines is armed first, in its pre-sale mode.
// Design: docs/design/order-deadlines.md#placing-a-pre-sale-order
import { eq, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { presales, products, skus } from "#shared/schema.ts";
import { moveStockStatements } from "#shared/stock.ts";
import { inventoryLowEvent, orderEvent, rawStatements } from "#shared/webhook-events.ts";
import { dayOf } from "../carts/checkout-cart.ts";
import { paymentTimeoutSeconds } from "../config.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

export async function placePresaleOrder({
  env,
  db,
  presaleId,
  ownerId,
  quantity,
  provider,
  livemode,
}: {
  env: Env;
  db: Database;
  presaleId: string;
  ownerId: string;
  quantity: number;
  provider: PaymentProvider;
  /** The mode of the request: the cart, order and payment are of it. */
  livemode: boolean;
}): Promise<{ orderId: string }> {
  const [row] = await db
    .select({ presale: presales, productId: skus.productId, title: products.title, productStatus: products.status })
    .from(presales)
    .innerJoin(skus, eq(skus.id, presales.skuId))
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(presales.id, presaleId));
  if (!row) throw new ProblemError("not_found", `Pre-sale ${presaleId} does not exist.`);
  const { presale } = row;
  const now = new Date();
  const at = now.toISOString();
  if (at < presale.depositStartsAt || at >= presale.depositEndsAt) {
    throw new ProblemError(
      "presale_not_open",
      `Pre-sale ${presaleId} takes deposits from ${presale.depositStartsAt} until ${presale.depositEndsAt}.`,
    );
  }
  if (row.productStatus !== "active") throw new ProblemError("conflict", `${row.title} is no longer for sale.`);
  if (quantity > presale.perShopperLimit) {
    throw new ProblemError(
      "limit_exceeded",
      `Pre-sale ${presaleId} allows at most ${presale.perShopperLimit} units per shopper.`,
      {
        errors: [{ path: "/quantity", message: `must be at most ${presale.perShopperLimit}` }],
      },
    );
  }

  const orderId = newId("ord", now.getTime());
  const cartId = newId("cart", now.getTime());
  const paymentId = newId("pay", now.getTime());
  const ledgerId = newId("led", now.getTime());
  const dueAt = new Date(now.getTime() + paymentTimeoutSeconds(env) * 1000);
  await env.ORDER_DEADLINES.getByName(orderId).armPresale(orderId, dueAt.getTime());

  const deposit = presale.depositAmount * quantity;
  const deduction = presale.deductionAmount * quantity;
  const balance = Math.max(0, presale.priceAmount - presale.deductionAmount) * quantity;
  const opened = await provider.createPayment({
    id: paymentId,
    orderId,
    cartId,
    amount: deposit,
    currency: presale.currency,
  });
  const args = {
    order: orderId,
    cart: cartId,
    pay: paymentId,
    led: ledgerId,
    presale: presaleId,
    owner: ownerId,
    livemode: livemode ? 1 : 0,
    merchant: presale.merchantId,
    sku: presale.skuId,
    product: row.productId,
    title: row.title,
    currency: presale.currency,
    q: quantity,
    price: presale.priceAmount,
    subtotal: presale.priceAmount * quantity,
    bonus: deduction - deposit,
    total: deposit + balance,
    deposit,
    deduction,
    balance,
    due: dueAt.toISOString(),
    bstart: presale.balanceStartsAt,
    bend: presale.balanceEndsAt,
    provider: provider.name,
    reference: opened.reference,
    secret: opened.clientSecret,
    day: dayOf(now),
    at,
  };
  const gate = `EXISTS (SELECT 1 FROM presales WHERE id = :presale AND deposit_starts_at <= :at AND :at < deposit_ends_at
                  AND taken + :q <= quantity
                  AND (SELECT coalesce(sum(quantity), 0) FROM presale_orders
                       WHERE presale_id = :presale AND owner_id = :owner AND released_at IS NULL) + :q <= per_shopper_limit)`;
  const written = "EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :led)";
  const statements = [
    ...moveStockStatements({
      ledgerId,
      skuId: presale.skuId,
      delta: -quantity,
      reason: "presale_order",
      idempotencyKey: orderId,
      at,
      when: { sql: gate, args },
    }),
    {
      sql: `INSERT INTO carts (id, owner_id, livemode, merchant_id, currency, status, created_at, updated_at)
            SELECT :cart, :owner, :livemode, :merchant, :currency, 'checked_out', :at, :at WHERE ${written}`,
      args,
    },
    {
      sql: `INSERT INTO order_number_counters (day, last) SELECT :day, 1 WHERE ${written}
            ON CONFLICT (day) DO UPDATE SET last = last + 1`,
      args,
    },
    {
      sql: `INSERT INTO orders (id, number, cart_id, owner_id, livemode, merchant_id, status, currency, subtotal_amount,
                                discount_amount, shipping_amount, tax_amount, total_amount, payment_due_at,
                                created_at, updated_at)
            SELECT :order, 'ZC-' || :day || '-' || printf('%06d', (SELECT last FROM order_number_counters WHERE day = :day)),
                   :cart, :owner, :livemode, :merchant, 'pending_deposit', :currency, :subtotal, :bonus, 0, 0, :total, :due, :at, :at
            WHERE ${written}`,
      args,
    },
    {
      // The deposit's bonus (deduction less deposit) is the line's discount: what is paid for it is the total.
      sql: `INSERT INTO order_lines (order_id, position, sku_id, product_id, title, quantity, unit_amount, discount_amount)
            SELECT :order, 0, :sku, :product, :title, :q, :price, :bonus WHERE ${written}`,
      args,
    },
    {
      sql: `INSERT INTO presale_orders (order_id, presale_id, owner_id, quantity, deposit_amount, deduction_amount,
                                        balance_amount, deposit_payment_id, balance_starts_at, balance_ends_at, created_at)
            SELECT :order, :presale, :owner, :q, :deposit, :deduction, :balance, :pay, :bstart, :bend, :at WHERE ${written}`,
      args,
    },
    { sql: `UPDATE presales SET taken = taken + :q WHERE id = :presale AND ${written}`, args },
    {
      sql: `INSERT INTO payments (id, order_id, livemode, provider, provider_reference, client_secret, status, amount,
                                  currency, created_at, updated_at)
            SELECT :pay, :order, :livemode, :provider, :reference, :secret, 'requires_payment', :deposit, :currency, :at, :at
            WHERE ${written}`,
      args,
    },
    // Why a refusal was refused, as the batch saw it.
    {
      sql: `SELECT p.quantity - p.taken AS left, s.stock,
              (SELECT coalesce(sum(quantity), 0) FROM presale_orders
               WHERE presale_id = :presale AND owner_id = :owner AND released_at IS NULL) AS mine,
              p.per_shopper_limit AS per_shopper, (p.deposit_starts_at <= :at AND :at < p.deposit_ends_at) AS open
            FROM presales p JOIN skus s ON s.id = p.sku_id WHERE p.id = :presale`,
      args,
    },
  ];
  const when = sql`EXISTS (SELECT 1 FROM inventory_ledger WHERE id = ${ledgerId})`;
  const events = [
    ...orderEvent("order.created", orderId, sql`true`, now),
    ...inventoryLowEvent(presale.skuId, -quantity, when, now),
  ];
  try {
    const results = await db.$client.batch([...statements, ...rawStatements(events)], "write");
    kickDispatchers(results);
    if ((results[0]?.rowsAffected ?? 0) === 1) return { orderId };
    const seen = results[statements.length - 1]?.rows[0];
    const mine = Number(seen?.mine ?? 0);
    const limit = Number(seen?.per_shopper ?? presale.perShopperLimit);
    if (Number(seen?.open ?? 0) !== 1) {
      throw new ProblemError("presale_not_open", `Pre-sale ${presaleId} no longer takes deposits.`);
    }
    if (mine + quantity > limit) {
      throw new ProblemError(
        "limit_exceeded",
        `Pre-sale ${presaleId} allows ${limit} units per shopper; you have ${mine} in orders.`,
        { errors: [{ path: "/quantity", message: `at most ${Math.max(0, limit - mine)}` }] },
      );
    }
    const left = Math.min(Number(seen?.left ?? 0), Number(seen?.stock ?? 0));
    throw new ProblemError("sold_out", `Pre-sale ${presaleId} has ${left} units left; nothing was taken.`, {
      errors: [{ path: "/quantity", message: `only ${left} left` }],
    });
  } catch (err) {
    // Refused: the order was not written and its payment will never be confirmed; let the provider close it.
    if (err instanceof ProblemError) await provider.cancelPayment(opened.reference);
    throw err;
  }
}
