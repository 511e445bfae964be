// The API shape of the creator-commission ledger, declared once, and reading a creator's or a merchant's entries
// with their totals per currency. A line's status follows its order: `pending` until the payable time
// (returns/return-window.ts), `payable` from then on.
import { z } from "@hono/zod-openapi";
import type { Row } from "@libsql/client/web";
import type { Database } from "#shared/db.ts";
import { money } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { textOrNull } from "#shared/rows.ts";
import { payableAtSql } from "../returns/return-window.ts";

export const CommissionEntrySchema = z
  .object({
    ...resourceFields("commission_entry"),
    kind: z.enum(["earned", "reversal"]).openapi({
      description: "earned when the order was paid; a reversal (negative) when a refund of the line succeeded.",
    }),
    orderId: z.string(),
    position: z.number().int().openapi({ description: "The credited order line's position." }),
    creatorId: z.string(),
    merchantId: z.string(),
    amount: MoneySchema.openapi({ description: "Signed: a reversal is negative." }),
    rateBps: z.number().int().openapi({ description: "The rate the line earned at, in basis points." }),
    affiliatePlanId: z.string().nullable().openapi({
      description:
        "The affiliate plan whose rate the line earned at (its rate at the order's checkout); null: the shelf's, product's or merchant's rate. A reversal names the same plan.",
    }),
    refundId: z.string().nullable(),
    status: z.enum(["pending", "payable"]),
    payableAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("CommissionEntry");

/**
 * Totals: earned (every `earned` entry), reversed (every reversal, as a positive amount), and the net of both split
 * by status: pending + payable = earned − reversed, always.
 */
export const CommissionTotalsSchema = z
  .object({
    currency: z.string(),
    earned: MoneySchema,
    reversed: MoneySchema,
    pending: MoneySchema,
    payable: MoneySchema,
  })
  .openapi("CommissionTotals");

export type CommissionEntry = z.infer<typeof CommissionEntrySchema>;
export type CommissionTotals = z.infer<typeof CommissionTotalsSchema>;

/** Whose ledger: a creator's earnings or a merchant's debts (the column is ours, never the caller's). */
export type LedgerOwner = ({ creatorId: string } | { merchantId: string }) & {
  /** The caller's mode: entries of orders of that mode only. */
  livemode: boolean;
};

function filter(owner: LedgerOwner, orderId: string | undefined) {
  const [column, id] = "creatorId" in owner ? ["creator_id", owner.creatorId] : ["merchant_id", owner.merchantId];
  return {
    where: `e.${column} = :owner AND (:order IS NULL OR e.order_id = :order)
            AND (SELECT livemode FROM orders WHERE id = e.order_id) = :livemode`,
    args: { owner: id, order: orderId ?? null, livemode: owner.livemode ? 1 : 0 },
  };
}

function toEntry(row: Row, now: string): CommissionEntry {
  const payableAt = String(row.payable_at);
  return {
    id: String(row.id),
    object: "commission_entry",
    kind: row.kind === "reversal" ? "reversal" : "earned",
    orderId: String(row.order_id),
    position: Number(row.position),
    creatorId: String(row.creator_id),
    merchantId: String(row.merchant_id),
    amount: money(row.amount, row.currency),
    rateBps: Number(row.rate_bps),
    affiliatePlanId: textOrNull(row.affiliate_plan_id),
    refundId: row.kind === "reversal" ? String(row.source) : null,
    status: payableAt <= now ? "payable" : "pending",
    payableAt,
    createdAt: String(row.created_at),
  };
}

/** A page of entries (newest first, one row more than `limit`) and the totals of all the owner's entries. */
export async function readLedger(
  env: Env,
  db: Database,
  owner: LedgerOwner,
  query: { orderId?: string; after?: string; limit: number },
): Promise<{ entries: CommissionEntry[]; totals: CommissionTotals[] }> {
  const { where, args } = filter(owner, query.orderId);
  const now = new Date().toISOString();
  const ledger = `SELECT e.*, ${payableAtSql(env)} AS payable_at
    FROM commission_entries e JOIN orders o ON o.id = e.order_id WHERE ${where}`;
  const [entries, totals] = await db.$client.batch(
    [
      {
        sql: `SELECT * FROM (${ledger}) WHERE (:after IS NULL OR id < :after) ORDER BY id DESC LIMIT :limit`,
        args: { ...args, after: query.after ?? null, limit: query.limit },
      },
      {
        sql: `SELECT currency,
                sum(CASE WHEN kind = 'earned' THEN amount ELSE 0 END) AS earned,
                -sum(CASE WHEN kind = 'reversal' THEN amount ELSE 0 END) AS reversed,
                sum(CASE WHEN payable_at > :now THEN amount ELSE 0 END) AS pending,
                sum(CASE WHEN payable_at <= :now THEN amount ELSE 0 END) AS payable
              FROM (${ledger}) GROUP BY currency ORDER BY currency`,
        args: { ...args, now },
      },
    ],
    "read",
  );
  return {
    entries: (entries?.rows ?? []).map((row) => toEntry(row, now)),
    totals: (totals?.rows ?? []).map((row) => ({
      currency: String(row.currency),
      earned: money(row.earned, row.currency),
      reversed: money(row.reversed, row.currency),
      pending: money(row.pending, row.currency),
      payable: money(row.payable, row.currency),
    })),
  };
}
