// approveReturn: the merchant accepts a requested return: its lines' refund is reserved (createRefund) in the SAME
// batch that makes it `approved` while still requested, so racing approvals reserve one refund; with `restock`, the
// units go back through the ledger in that batch, keyed by return and line. Settling the refund finishes it.
// Design: docs/design/refund-recovery.md#settling
import { eq, sql } from "drizzle-orm";
import { returnApproved } from "#shared/analytics.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { orderLines, refunds } from "#shared/schema.ts";
import { moveStockStatements } from "#shared/stock.ts";
import { createRefund } from "../refunds/create-refund.ts";
import { merchantsReturn, type Return, type ReturnDecision, readReturn } from "./return.ts";
import { returnEvent } from "./return-event.ts";

/** SQL: return :return may be approved now (requested, or approved with a refund that failed). */
const approvable = `EXISTS (SELECT 1 FROM returns t WHERE t.id = :return AND (t.status = 'requested'
  OR (t.status = 'approved' AND EXISTS (SELECT 1 FROM refunds f WHERE f.id = t.refund_id AND f.status = 'failed'))))`;

async function mayApprove(db: Database, ret: Return): Promise<boolean> {
  if (ret.status === "requested") return true;
  if (ret.status !== "approved" || ret.refundId === null) return false;
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.id, ret.refundId) });
  return refund?.status === "failed";
}

function notApprovable(ret: Return): ProblemError {
  return new ProblemError(
    "conflict",
    `Return ${ret.id} is ${ret.status}; only a requested return (or an approved one whose refund failed) can be approved.`,
  );
}

export async function approveReturn({
  env,
  db,
  returnId,
  merchantId,
  restock,
}: ReturnDecision & { env: Env; restock: boolean }): Promise<Return> {
  const current = await merchantsReturn(db, returnId, merchantId);
  if (!(await mayApprove(db, current))) throw notApprovable(current);
  const now = new Date();
  const at = now.toISOString();
  const refundId = newId("rfd", now.getTime());
  const approved: Return = {
    ...current,
    status: "approved",
    refundId,
    restock: restock || current.restock === true,
    decidedAt: current.decidedAt ?? at,
    updatedAt: at,
  };
  const args = { return: returnId, refund: refundId, restock: approved.restock ? 1 : 0, at };
  const bought = await db.select().from(orderLines).where(eq(orderLines.orderId, current.orderId));
  // With restock, each line's units back in stock through the ledger, keyed by return and line so that they count
  // once (an approval retried after a failed refund restocks nothing twice), only if this batch approved it.
  const restocks = current.lines.flatMap((line) => {
    const skuId = bought.find((b) => b.position === line.position)?.skuId;
    if (skuId === undefined) return [];
    return moveStockStatements({
      ledgerId: newId("led"),
      skuId,
      delta: line.quantity,
      reason: "return_restock",
      idempotencyKey: `return:${returnId}:${line.position}`,
      at,
      when: {
        sql: "EXISTS (SELECT 1 FROM returns WHERE id = :return AND refund_id = :refund AND restock = 1)",
        args: { return: returnId, refund: refundId },
      },
    });
  });
  try {
    await createRefund({
      env,
      db,
      orderId: current.orderId,
      merchantId,
      request: {
        lines: current.lines,
        reason: current.reason,
        with: {
          id: refundId,
          condition: approvable,
          args: { return: returnId },
          statements: [
            {
              sql: `UPDATE returns SET status = 'approved', refund_id = :refund, restock = :restock,
                      decided_at = coalesce(decided_at, :at), updated_at = :at
                    WHERE id = :return AND EXISTS (SELECT 1 FROM refunds WHERE id = :refund)`,
              args,
            },
            ...returnEvent("return.approved", approved, sql`r.refund_id = ${refundId} AND r.decided_at = ${at}`, now),
            ...restocks,
            returnApproved(returnId, refundId, at),
          ],
        },
      },
    });
  } catch (err) {
    // Refused: if another decision came first, say that rather than why the refund could not be reserved.
    const latest = err instanceof ProblemError ? await readReturn(db, returnId) : null;
    if (latest && latest.refundId !== refundId && !(await mayApprove(db, latest))) throw notApprovable(latest);
    throw err;
  }
  const result = await readReturn(db, returnId);
  if (!result) throw new Error(`return ${returnId} missing after it was approved`);
  return result;
}
