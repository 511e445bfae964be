// createRefund: money of a paid order given back through the provider(s) that took it. One conditional INSERT …
// SELECT reserves the refund against what the order's payments (and the named lines) still hold, so racing refunds
// never give back more than was paid; the refund is split into parts, the most recent payment first, each sent under
// its own provider idempotency key, and the answers settle it (settleRefund) or its RefundRecovery alarm retries.
// Design: docs/design/refund-recovery.md
import type { InStatement, InValue } from "@libsql/client/web";
import { asc, eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { log } from "#shared/log.ts";
import { orderLines, orders, payments, refundPayments, refunds } from "#shared/schema.ts";
import type { PaymentProviderName } from "../config.ts";
import { modeOfRow, paymentProvider } from "../payments/providers.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { type PartOutcome, refundableStatuses, settleRefund } from "./settle-refund.ts";

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

/** SQL: units of line `l` in refunds not failed (other than `:id`, the refund being written). */
const refundedUnits = `(
  SELECT coalesce(sum(rl.quantity), 0) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
  WHERE rl.order_id = :order AND rl.position = l.position AND r.status != 'failed' AND rl.refund_id != :id)`;

/** SQL: money given back (or being given back) for line `l`: refunds not failed, and what failed ones did give. */
const givenForLine = `(
  SELECT coalesce(sum(CASE WHEN r.status != 'failed' THEN rl.amount ELSE rl.amount * (
    SELECT coalesce(sum(rp.amount), 0) FROM refund_payments rp WHERE rp.refund_id = r.id AND rp.status = 'succeeded'
  ) / r.amount END), 0)
  FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
  WHERE rl.order_id = :order AND rl.position = l.position AND rl.refund_id != :id)`;

/** SQL: the value of `k` more units of order line `l` (what was paid for the units, less what was given back). */
const unitsWorth = (k: string) => {
  const paid = "(l.unit_amount * l.quantity - l.discount_amount)";
  return `max(0, ${paid} * (${refundedUnits} + ${k}) / l.quantity - ${givenForLine})`;
};

/** SQL: the requested lines `j` (json `{ position, quantity }`) joined to their order lines `l`. */
const requested = `json_each(:lines) j
  JOIN order_lines l ON l.order_id = :order AND l.position = json_extract(j.value, '$.position')`;
const requestedUnits = "json_extract(j.value, '$.quantity')";

/** SQL: the order's succeeded payments (only `:only_payment` when given) and what each still holds. */
const payable = `SELECT p.id, p.provider, p.currency, p.amount - (
    SELECT coalesce(sum(rp.amount), 0) FROM refund_payments rp WHERE rp.payment_id = p.id AND rp.status != 'failed'
  ) AS left
  FROM orders o JOIN payments p ON p.order_id = o.id AND p.status = 'succeeded'
  WHERE o.id = :order AND o.status IN (SELECT value FROM json_each(:statuses))
  AND (:only_payment IS NULL OR p.id = :only_payment)`;

/** The refund's pending row and its parts, if what it asks for is still there to refund; null otherwise. */
async function reserveRefund(
  env: Env,
  db: Database,
  input: {
    orderId: string;
    amount: number | null;
    lines: RefundRequest["lines"];
    /** No amount given: the named lines' worth (computed in the statement). */
    byLines: boolean;
    reason: string | null;
    statuses: readonly string[];
    /** Only this payment (default: all the order's succeeded payments, the most recent first). */
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
  const linesWorth = input.byLines ? `(SELECT sum(${unitsWorth(requestedUnits)}) FROM ${requested})` : "NULL";
  const wanted = `coalesce(:amount, ${linesWorth}, total.left)`;
  // Armed first, so that no reservation is ever without its recovery (one refused finds nothing to do).
  await env.REFUND_RECOVERY.getByName(args.id).arm(args.id);
  const results = await db.$client.batch(
    [
      {
        sql: `WITH pay AS (${payable}),
                total AS (SELECT sum(left) AS left FROM pay),
                -- The refund row names its first part's payment (the most recent with money left).
                first AS (SELECT id, provider, currency FROM pay WHERE left > 0 ORDER BY id DESC LIMIT 1)
              INSERT INTO refunds (id, order_id, payment_id, provider, status, amount, currency, reason, created_at, updated_at)
              SELECT :id, :order, first.id, first.provider, 'pending', ${wanted}, first.currency, :reason, :at, :at
              FROM first, total
              WHERE ${wanted} BETWEEN 1 AND total.left
              AND NOT EXISTS (
                SELECT 1 FROM ${requested}
                WHERE ${requestedUnits} + (
                  SELECT coalesce(sum(rl.quantity), 0) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
                  WHERE rl.order_id = :order AND rl.position = l.position AND r.status != 'failed'
                ) > l.quantity
              )${input.with ? ` AND ${input.with.condition}` : ""}`,
        args,
      },
      {
        // Its parts: the most recent payment first, each taking what it holds until the amount is covered.
        sql: `WITH pay AS (${payable}),
                ranked AS (SELECT id, provider, currency, left,
                                  sum(left) OVER (ORDER BY id DESC ROWS UNBOUNDED PRECEDING) - left AS before
                           FROM pay WHERE left > 0),
                r AS (SELECT amount FROM refunds WHERE id = :id AND status = 'pending'
                      AND NOT EXISTS (SELECT 1 FROM refund_payments WHERE refund_id = :id))
              INSERT INTO refund_payments (refund_id, payment_id, order_id, seq, provider, status, amount, currency, created_at, updated_at)
              SELECT :id, ranked.id, :order, row_number() OVER (ORDER BY ranked.id DESC) - 1, ranked.provider, 'pending',
                     min(ranked.left, r.amount - ranked.before), ranked.currency, :at, :at
              FROM ranked, r WHERE r.amount > ranked.before`,
        args,
      },
      {
        sql: `INSERT INTO refund_lines (refund_id, order_id, position, quantity, amount)
              SELECT :id, :order, l.position, ${requestedUnits}, ${unitsWorth(requestedUnits)}
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

/** The provider's idempotency key of a part: the refund id for an only part, else the refund id and the payment. */
const partKey = (refundId: string, paymentId: string, parts: number) =>
  parts === 1 ? refundId : `${refundId}_${paymentId}`;

/**
 * Brings the refund's pending parts to their providers in order, and settles them by the answers in one batch (a
 * part left pending waits for its webhook, or the next attempt). A part without a provider refund is sent, keyed as
 * the first time, so a provider that did get an earlier attempt answers with that same refund; a part with one is
 * asked how it stands, where its provider can say. After a failed part the later ones are not sent (failed,
 * `not_attempted`). A provider that cannot be reached leaves its part, and the later ones, pending for the refund's
 * recovery alarm (refund-recovery.ts); on its `last` attempt they fail (`provider_unavailable`, then
 * `not_attempted`), while a part the provider holds stays for its webhook. Returns whether a part is still pending;
 * a refund no longer pending is left as it is.
 */
export async function sendRefund(env: Env, db: Database, refundId: string, last = false): Promise<boolean> {
  const [found, parts] = await db.batch([
    db.select().from(refunds).where(eq(refunds.id, refundId)),
    db
      .select({ part: refundPayments, paymentReference: payments.providerReference, livemode: payments.livemode })
      .from(refundPayments)
      .innerJoin(payments, eq(payments.id, refundPayments.paymentId))
      .where(eq(refundPayments.refundId, refundId))
      .orderBy(asc(refundPayments.seq)),
  ]);
  const refund = found[0];
  if (refund?.status !== "pending") return false;
  const answers: PartOutcome[] = [];
  let stopped: "failed" | "unreachable" | null = null;
  let pending = false;
  for (const { part, paymentReference, livemode } of parts) {
    const { paymentId } = part;
    if (part.status === "failed") stopped = "failed";
    if (part.status !== "pending") continue;
    if (stopped === "failed" || (stopped === "unreachable" && last)) {
      answers.push({ paymentId, reference: null, outcome: "failed", failureReason: "not_attempted" });
      continue;
    }
    if (stopped === "unreachable") {
      pending = true;
      continue;
    }
    try {
      const provider = paymentProvider(env, part.provider as PaymentProviderName, modeOfRow({ livemode }));
      const answer = part.providerRefundId
        ? ((await provider.refundStatus?.(part.providerRefundId)) ?? null)
        : await provider.refund({
            id: partKey(refund.id, paymentId, parts.length),
            refundId: refund.id,
            paymentId,
            orderId: refund.orderId,
            paymentReference,
            amount: part.amount,
            currency: part.currency,
            reason: refund.reason,
          });
      if (answer) answers.push({ paymentId, ...answer });
      if (answer?.outcome === "failed") stopped = "failed";
      pending ||= answer?.outcome !== "failed" && answer?.outcome !== "succeeded";
    } catch (err) {
      log("warn", "refund: a provider could not be reached", {
        refundId: refund.id,
        paymentId,
        message: err instanceof Error ? err.message : String(err),
      });
      // A part the provider holds (it has its reference) is never failed here: its webhook settles it.
      if (part.providerRefundId) {
        pending = true;
        continue;
      }
      stopped = "unreachable";
      if (last) answers.push({ paymentId, reference: null, outcome: "failed", failureReason: "provider_unavailable" });
      else pending = true;
    }
  }
  if (answers.length > 0) await settleRefund({ db, refundId: refund.id, parts: answers });
  return pending;
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
  const [orderRows, lines, paid] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.position)),
    db.select().from(payments).where(eq(payments.orderId, orderId)),
  ]);
  const order = orderRows[0];
  if (!order || order.merchantId !== merchantId)
    throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  const succeeded = paid.filter((p) => p.status === "succeeded");
  if (succeeded.length === 0 || !(refundableStatuses as readonly string[]).includes(order.status)) {
    throw new ProblemError(
      "conflict",
      `Order ${orderId} is ${order.status}; only a paid, fulfilled, delivered or partially refunded order can be refunded.`,
    );
  }
  (request.lines ?? []).forEach((wanted, i) => {
    if (!lines.some((l) => l.position === wanted.position)) {
      throw new ProblemError("validation_failed", `Order ${orderId} has no line at position ${wanted.position}.`, {
        errors: [{ path: `/lines/${i}/position`, message: "no such line" }],
      });
    }
  });
  const linesAmount = request.lines ? await linesWorth(db, orderId, request.lines) : 0;
  if (request.lines && request.amount !== undefined && request.amount > linesAmount) {
    throw new ProblemError("validation_failed", `The amount is more than the lines named are worth (${linesAmount}).`, {
      errors: [{ path: "/amount/amount", message: `at most ${linesAmount}` }],
    });
  }
  // Refused here rather than after the reservation, so that a disabled provider leaves nothing pending.
  for (const payment of succeeded) paymentProvider(env, payment.provider as PaymentProviderName, modeOfRow(payment));
  const amount = request.amount ?? (request.lines ? linesAmount : null);
  const refund = await reserveRefund(env, db, {
    orderId,
    amount: request.amount ?? null,
    lines: request.lines,
    byLines: request.amount === undefined && request.lines !== undefined,
    reason: request.reason ?? null,
    statuses: refundableStatuses,
    with: request.with,
  });
  if (!refund) throw await refusal(db, orderId, amount);
  await sendRefund(env, db, refund.id);
  return refund.id;
}

/** What the lines named are worth now (units beyond what is left of a line count for nothing). */
async function linesWorth(db: Database, orderId: string, lines: NonNullable<RefundRequest["lines"]>) {
  const { rows } = await db.$client.execute({
    sql: `SELECT coalesce(sum(${unitsWorth(`min(${requestedUnits}, l.quantity - ${refundedUnits})`)}), 0) AS worth
          FROM ${requested}`,
    args: { order: orderId, id: "", lines: JSON.stringify(lines) },
  });
  return Number(rows[0]?.worth ?? 0);
}

/** Why a refund was not reserved, read after the fact (the decision itself was the conditional insert's). */
async function refusal(db: Database, orderId: string, amount: number | null): Promise<ProblemError> {
  const [state] = (
    await db.$client.execute({
      sql: `SELECT o.status, (SELECT coalesce(sum(left), 0) FROM (${payable})) AS left FROM orders o WHERE o.id = :order`,
      args: { order: orderId, statuses: JSON.stringify(refundableStatuses), only_payment: null },
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
      : `Only ${left} of order ${orderId}'s payments is left to refund.`,
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
  const refund = await reserveRefund(env, db, {
    orderId,
    amount: null,
    lines: undefined,
    byLines: false,
    reason: input.reason,
    statuses: [input.status],
    paymentId: input.paymentId,
  });
  if (refund) await sendRefund(env, db, refund.id);
}
