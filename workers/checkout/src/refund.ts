// The API shape of refunds, declared once, and reading an order's refunds with the lines they name.
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../../../shared/db.ts";
import type { Currency } from "../../../shared/money.ts";
import { MoneySchema } from "../../../shared/openapi.ts";
import { refundLines, refunds } from "../../../shared/schema.ts";

export const RefundSchema = z
  .object({
    id: z.string(),
    object: z.literal("refund"),
    orderId: z.string(),
    paymentId: z.string(),
    provider: z.string().openapi({ example: "stripe" }),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({
      description:
        "pending until the provider settles it; a failed refund gives its amount back to what may be refunded.",
    }),
    amount: MoneySchema,
    reason: z.string().nullable(),
    failureReason: z.string().nullable(),
    lines: z.array(z.object({ position: z.number().int(), quantity: z.number().int(), amount: MoneySchema })).openapi({
      description: "The order lines (by position) this refund gives money back for; empty when none named.",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Refund");

export type Refund = z.infer<typeof RefundSchema>;

export function toRefund(row: typeof refunds.$inferSelect, lines: (typeof refundLines.$inferSelect)[]): Refund {
  const m = (amount: number) => ({ amount, currency: row.currency as Currency });
  return {
    id: row.id,
    object: "refund",
    orderId: row.orderId,
    paymentId: row.paymentId,
    provider: row.provider,
    status: row.status,
    amount: m(row.amount),
    reason: row.reason,
    failureReason: row.failureReason,
    lines: lines
      .filter((line) => line.refundId === row.id)
      .map((line) => ({ position: line.position, quantity: line.quantity, amount: m(line.amount) })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An order's refunds, newest first, from a cursor (the last id seen). */
export async function listRefunds(
  db: Database,
  orderId: string,
  page: { after: string | null; limit: number },
): Promise<(typeof refunds.$inferSelect)[]> {
  return db
    .select()
    .from(refunds)
    .where(and(eq(refunds.orderId, orderId), page.after ? lt(refunds.id, page.after) : undefined))
    .orderBy(desc(refunds.id))
    .limit(page.limit);
}

/** Refund rows as the API shows them, with their lines in one query. */
export async function withLines(db: Database, rows: (typeof refunds.$inferSelect)[]): Promise<Refund[]> {
  const ids = rows.map((row) => row.id);
  const lines =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(refundLines)
          .where(inArray(refundLines.refundId, ids))
          .orderBy(asc(refundLines.position));
  return rows.map((row) => toRefund(row, lines));
}

export async function readRefund(db: Database, refundId: string): Promise<Refund | null> {
  const row = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) });
  return row ? ((await withLines(db, [row]))[0] ?? null) : null;
}
