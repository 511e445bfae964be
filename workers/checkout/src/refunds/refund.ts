// The API shape of refunds, declared once, and reading an order's refunds with the lines they name.
import { z } from "@hono/zod-openapi";
import { asc, eq, inArray } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { money } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { refundLines, refundPayments, refunds } from "#shared/schema.ts";

export const RefundSchema = z
  .object({
    ...resourceFields("refund"),
    orderId: z.string(),
    paymentId: z.string().openapi({ description: "The payment drawn on first (see `payments` for every part)." }),
    provider: z.string().openapi({ example: "stripe" }),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({
      description:
        "pending until every part has settled; succeeded when every part succeeded, else failed. A failed part gives its amount back to what may be refunded; parts that succeeded stay given back.",
    }),
    amount: MoneySchema,
    reason: z.string().nullable(),
    failureReason: z.string().nullable(),
    lines: z.array(z.object({ position: z.number().int(), quantity: z.number().int(), amount: MoneySchema })).openapi({
      description: "The order lines (by position) this refund gives money back for; empty when none named.",
    }),
    payments: z
      .array(
        z.object({
          paymentId: z.string(),
          provider: z.string(),
          amount: MoneySchema,
          status: z.enum(["pending", "succeeded", "failed"]),
          failureReason: z.string().nullable(),
        }),
      )
      .openapi({
        description:
          "Its parts, one provider refund each, in the order they were sent: the most recent payment first (a pre-sale order's balance, then its deposit).",
      }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Refund");

export type Refund = z.infer<typeof RefundSchema>;

export function toRefund(
  row: typeof refunds.$inferSelect,
  lines: (typeof refundLines.$inferSelect)[],
  parts: (typeof refundPayments.$inferSelect)[],
): Refund {
  return {
    id: row.id,
    object: "refund",
    orderId: row.orderId,
    paymentId: row.paymentId,
    provider: row.provider,
    status: row.status,
    amount: money(row.amount, row.currency),
    reason: row.reason,
    failureReason: row.failureReason,
    lines: lines
      .filter((line) => line.refundId === row.id)
      .map((line) => ({ position: line.position, quantity: line.quantity, amount: money(line.amount, row.currency) })),
    payments: parts
      .filter((part) => part.refundId === row.id)
      .map((part) => ({
        paymentId: part.paymentId,
        provider: part.provider,
        amount: money(part.amount, row.currency),
        status: part.status,
        failureReason: part.failureReason,
      })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** An order's refunds, newest first, from a cursor (the last id seen). */
/** Refund rows as the API shows them, with their lines and parts in one round trip. */
export async function withLines(db: Database, rows: (typeof refunds.$inferSelect)[]): Promise<Refund[]> {
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  const [lines, parts] = await db.batch([
    db.select().from(refundLines).where(inArray(refundLines.refundId, ids)).orderBy(asc(refundLines.position)),
    db.select().from(refundPayments).where(inArray(refundPayments.refundId, ids)).orderBy(asc(refundPayments.seq)),
  ]);
  return rows.map((row) => toRefund(row, lines, parts));
}

export async function readRefund(db: Database, refundId: string): Promise<Refund | null> {
  const row = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) });
  return row ? ((await withLines(db, [row]))[0] ?? null) : null;
}
