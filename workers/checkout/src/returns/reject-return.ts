// rejectReturn: the merchant refuses a requested return, saying why; its units are free to return again. One
// conditional update (only from `requested`), with return.rejected in the same batch.
import { sql } from "drizzle-orm";
import { ProblemError } from "#shared/errors.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { merchantsReturn, type Return, type ReturnDecision, readReturn } from "./return.ts";
import { returnEvent } from "./return-event.ts";

export async function rejectReturn({
  db,
  returnId,
  merchantId,
  reason,
}: ReturnDecision & { reason: string }): Promise<Return> {
  const current = await merchantsReturn(db, returnId, merchantId);
  const now = new Date();
  const at = now.toISOString();
  const rejected: Return = { ...current, status: "rejected", rejectionReason: reason, decidedAt: at, updatedAt: at };
  const results = await db.$client.batch(
    [
      {
        sql: `UPDATE returns SET status = 'rejected', rejection_reason = :reason, decided_at = :at, updated_at = :at
              WHERE id = :return AND status = 'requested'`,
        args: { return: returnId, reason, at },
      },
      ...returnEvent("return.rejected", rejected, sql`r.status = 'rejected' AND r.decided_at = ${at}`, now),
    ],
    "write",
  );
  kickDispatchers(results);
  if ((results[0]?.rowsAffected ?? 0) === 0) {
    const latest = (await readReturn(db, returnId)) ?? current;
    throw new ProblemError(
      "conflict",
      `Return ${returnId} is ${latest.status}; only a requested return can be rejected.`,
    );
  }
  return rejected;
}
