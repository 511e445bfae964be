// createRefund: money of a paid order given back through the provider that took it.
//
// Never more than was paid, even when refunds race: the refund is written `pending` by ONE conditional INSERT …
// SELECT whose WHERE computes what the payment still holds (its amount less every refund not failed) and, when the
// refund names order lines, what each line still holds (its quantity less the quantities refunded); the database
// runs writes one at a time, so two refunds can never both see the same remainder. Only then is the provider
// asked (idempotency key: the refund id); its answer settles the refund (settleRefund), or a webhook does later.
// A provider that cannot be reached fails the refund, which gives its amount back, and the caller gets a 502.
//
// A refund may name lines (`{ position, quantity }`): its amount is then theirs, unless a smaller amount is given.
// A line is worth what was paid for it (unit × quantity less its share of the order's discounts); k of its units,
// after d refunded before, are worth floor(paid × (d + k) / quantity) − floor(paid × d / quantity), so refunds of
// a line's units one by one add up to exactly what was paid for it. That is computed in the reserving statements
// themselves, so racing refunds of one line split it exactly too.
// Returns (issue #8) and creator-commission reversals build on these refund lines; restocking is theirs. A return's
// approval commits with its refund's reservation (`with`), so that it can never be refunded twice.
import type { InStatement, InValue } from "@libsql/client/web";
import { and, asc, eq, ne } from "drizzle-orm";
import type { Database } from "../../../shared/db.ts";
import { ProblemError } from "../../../shared/errors.ts";
import { newId } from "../../../shared/ids.ts";
import { orderLines, orders, payments, refundLines, refunds } from "../../../shared/schema.ts";
import type { PaymentProviderName } from "./config.ts";
import { paymentProvider } from "./payments/providers.ts";
import { refundableStatuses, settleRefund } from "./settle-refund.ts";
import { kickDispatchers } from "./webhooks/kick.ts";

export interface RefundRequest {
  /** Minor units in the order's currency; default: the named lines' amount, or all that is left. */
  amount?: number;
  lines?: { position: number; quantity: number }[];
  reason?: string;
  /** A change that must commit with the reservation: the refund's id, a further condition (SQL over `args`) the
   * reservation needs, and statements run after it in its batch. */
  with?: { id: string; condition: string; args: Record<string, InValue>; statements: InStatement[] };
}

type RefundRow = typeof refunds.$inferSelect;

/** SQL: the value of `k` units of order line `l` after `done` were refunded (what was paid, split exactly). */
const unitsWorth = (k: string, done: string) => {
  const paid = "(l.unit_amount * l.quantity - l.discount_amount)";
  return `(${paid} * (${done} + ${k}) / l.quantity - ${paid} * ${done} / l.quantity)`;
};

/** SQL: units of line `l` in refunds not failed (other than `:id`, the refund being written). */
const refundedUnits = `(
  SELECT coalesce(sum(rl.quantity), 0) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
  WHERE rl.order_id = :order AND rl.position = l.position AND r.status != 'failed' AND rl.refund_id != :id)`;

/** SQL: what payment `p` still holds, its amount less every refund of it not failed (pending ones included). */
const leftToRefund = `p.amount - (
  SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status != 'failed')`;

/** The refund's pending row, if what it asks for is still there to refund; null otherwise (nothing written). */
async function reserveRefund(
  db: Database,
  input: {
    orderId: string;
    amount: number | null;
    lines: RefundRequest["lines"];
    /** No amount given: the named lines' worth (computed in the statement). */
    byLines: boolean;
    reason: string | null;
    statuses: readonly string[];
    /** Only this payment (default: the one with the most left). */
    paymentId?: string;
    with?: RefundRequest["with"];
  },
): Promise<RefundRow | null> {
  const args = {
    ...input.with?.args,
    id: input.with?.id ?? newId("rfd"),
    order: input.orderId,
    amount: input.amount,
    reason: input.reason,
    lines: JSON.stringify(input.lines ?? []),
    statuses: JSON.stringify(input.statuses),
    only_payment: input.paymentId ?? null,
    at: new Date().toISOString(),
  };
  const requested = `json_each(:lines) j
      JOIN order_lines l ON l.order_id = :order AND l.position = json_extract(j.value, '$.position')`;
  const units = "json_extract(j.value, '$.quantity')";
  const linesWorth = input.byLines ? `(SELECT sum(${unitsWorth(units, refundedUnits)}) FROM ${requested})` : "NULL";
  const results = await db.$client.batch(
    [
      {
        sql: `WITH payment AS (
                SELECT p.id, p.provider, p.currency, ${leftToRefund} AS left
                FROM orders o JOIN payments p ON p.order_id = o.id AND p.status = 'succeeded'
                WHERE o.id = :order AND o.status IN (SELECT value FROM json_each(:statuses))
                AND (:only_payment IS NULL OR p.id = :only_payment)
                -- A pre-sale order has two payments (deposit, balance): a refund draws on the one with most left.
                ORDER BY left DESC, p.id LIMIT 1
              )
              INSERT INTO refunds (id, order_id, payment_id, provider, status, amount, currency, reason, created_at, updated_at)
              SELECT :id, :order, id, provider, 'pending', coalesce(:amount, ${linesWorth}, left), currency, :reason, :at, :at
              FROM payment
              WHERE coalesce(:amount, ${linesWorth}, left) BETWEEN 1 AND left
              AND NOT EXISTS (
                SELECT 1 FROM ${requested}
                WHERE json_extract(j.value, '$.quantity') + (
                  SELECT coalesce(sum(rl.quantity), 0) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
                  WHERE rl.order_id = :order AND rl.position = l.position AND r.status != 'failed'
                ) > l.quantity
              )${input.with ? ` AND ${input.with.condition}` : ""}`,
        args,
      },
      {
        sql: `INSERT INTO refund_lines (refund_id, order_id, position, quantity, amount)
              SELECT :id, :order, l.position, ${units}, ${unitsWorth(units, refundedUnits)}
              FROM ${requested}
              WHERE EXISTS (SELECT 1 FROM refunds WHERE id = :id)`,
        args,
      },
      ...(input.with?.statements ?? []),
    ],
    "write",
  );
  kickDispatchers(results);
  return (await db.query.refunds.findFirst({ where: eq(refunds.id, args.id) })) ?? null;
}

/** Asks the refund's provider to pay it out, and settles it by the answer (or leaves it pending for a webhook). */
async function executeRefund(env: Env, db: Database, refund: RefundRow, paymentReference: string | null) {
  const provider = paymentProvider(env, refund.provider as PaymentProviderName);
  let answer: Awaited<ReturnType<typeof provider.refund>>;
  try {
    answer = await provider.refund({
      id: refund.id,
      orderId: refund.orderId,
      paymentReference,
      amount: refund.amount,
      currency: refund.currency,
      reason: refund.reason,
    });
  } catch (err) {
    await settleRefund({ db, refundId: refund.id, outcome: "failed", failureReason: "provider_unavailable" });
    throw err;
  }
  if (answer.reference !== null) {
    await db.update(refunds).set({ providerReference: answer.reference }).where(eq(refunds.id, refund.id));
  }
  if (answer.outcome !== "pending") {
    await settleRefund({ db, refundId: refund.id, outcome: answer.outcome, failureReason: answer.failureReason });
  }
}

/** A merchant's refund of its own order: the refund's id, or a 400/404/409 problem saying why not. */
export async function createRefund({
  env,
  db,
  orderId,
  merchantId,
  request,
}: {
  env: Env;
  db: Database;
  orderId: string;
  merchantId: string;
  request: RefundRequest;
}): Promise<string> {
  const [orderRows, lines, paid, refunded] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
    db.select().from(payments).where(eq(payments.orderId, orderId)),
    db
      .select({ position: refundLines.position, quantity: refundLines.quantity })
      .from(refundLines)
      .innerJoin(refunds, eq(refunds.id, refundLines.refundId))
      .where(and(eq(refundLines.orderId, orderId), ne(refunds.status, "failed"))),
  ]);
  const order = orderRows[0];
  if (!order || order.merchantId !== merchantId)
    throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  const payment = paid.find((p) => p.status === "succeeded");
  if (!payment || !(refundableStatuses as readonly string[]).includes(order.status)) {
    throw new ProblemError(
      "conflict",
      `Order ${orderId} is ${order.status}; only a paid, fulfilled, delivered or partially refunded order can be refunded.`,
    );
  }
  const linesAmount = (request.lines ?? []).reduce((sum, wanted, i) => {
    const line = lines.find((l) => l.position === wanted.position);
    if (!line) {
      throw new ProblemError("validation_failed", `Order ${orderId} has no line at position ${wanted.position}.`, {
        errors: [{ path: `/lines/${i}/position`, message: "no such line" }],
      });
    }
    const done = refunded.filter((r) => r.position === line.position).reduce((n, r) => n + r.quantity, 0);
    const paidForLine = line.unitAmount * line.quantity - line.discountAmount;
    const worth = (units: number) => Math.floor((paidForLine * units) / line.quantity);
    return sum + worth(Math.min(done + wanted.quantity, line.quantity)) - worth(done);
  }, 0);
  if (request.lines && request.amount !== undefined && request.amount > linesAmount) {
    throw new ProblemError("validation_failed", `The amount is more than the lines named are worth (${linesAmount}).`, {
      errors: [{ path: "/amount/amount", message: `at most ${linesAmount}` }],
    });
  }
  // Refused here rather than after the reservation, so that a disabled provider leaves nothing pending.
  paymentProvider(env, payment.provider as PaymentProviderName);
  const amount = request.amount ?? (request.lines ? linesAmount : null);
  const refund = await reserveRefund(db, {
    orderId,
    amount: request.amount ?? null,
    lines: request.lines,
    byLines: request.amount === undefined && request.lines !== undefined,
    reason: request.reason ?? null,
    statuses: refundableStatuses,
    with: request.with,
  });
  if (!refund) throw await refusal(db, orderId, payment.id, amount);
  const drawn = paid.find((p) => p.id === refund.paymentId) ?? payment;
  await executeRefund(env, db, refund, drawn.providerReference);
  return refund.id;
}

/** Why a refund was not reserved, read after the fact (the decision itself was the conditional insert's). */
async function refusal(db: Database, orderId: string, paymentId: string, amount: number | null): Promise<ProblemError> {
  const [state] = (
    await db.$client.execute({
      sql: `SELECT o.status, ${leftToRefund} AS left
            FROM orders o JOIN payments p ON p.id = :payment WHERE o.id = :order`,
      args: { order: orderId, payment: paymentId },
    })
  ).rows;
  const status = String(state?.status);
  if (!(refundableStatuses as readonly string[]).includes(status)) {
    return new ProblemError("conflict", `Order ${orderId} is ${status}; it cannot be refunded.`);
  }
  const left = Number(state?.left ?? 0);
  if (amount !== null && amount <= left) {
    return new ProblemError("refund_exceeds_payment", "Some lines named have already been refunded in full.", {
      errors: [{ path: "/lines", message: "more than the quantity left to refund" }],
    });
  }
  return new ProblemError(
    "refund_exceeds_payment",
    left === 0
      ? `Order ${orderId} has been refunded in full.`
      : `Only ${left} of order ${orderId}'s payment is left to refund.`,
    { errors: [{ path: "/amount", message: `at most ${left}` }] },
  );
}

/**
 * A payment that succeeded for an order cancelled meanwhile is refunded in full. Safe to repeat: once refunded,
 * nothing is left and no second refund is written; a refund that failed is tried again on the next call.
 */
export const refundCancelledOrder = (env: Env, db: Database, orderId: string) =>
  refundStrayPayment(env, db, { orderId, status: "cancelled", reason: "order_cancelled" });

/**
 * refundCancelledOrder's rule for an order in `status`, which takes no more money (a pre-sale order whose deposit
 * was forfeited: its balance, `paymentId`, if that succeeded after all).
 */
export async function refundStrayPayment(
  env: Env,
  db: Database,
  input: { orderId: string; status: string; reason: string; paymentId?: string },
): Promise<void> {
  const { orderId } = input;
  const order = await db.query.orders.findFirst({ where: eq(orders.id, orderId) });
  if (order?.status !== input.status) return;
  const refund = await reserveRefund(db, {
    orderId,
    amount: null,
    lines: undefined,
    byLines: false,
    reason: input.reason,
    statuses: [input.status],
    paymentId: input.paymentId,
  });
  if (!refund) return;
  const payment = await db.query.payments.findFirst({ where: eq(payments.id, refund.paymentId) });
  await executeRefund(env, db, refund, payment?.providerReference ?? null);
}
