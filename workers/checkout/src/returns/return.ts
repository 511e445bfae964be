// The API shape of returns, declared once, and reading them with their lines.
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import type { Database } from "../../../../shared/db.ts";
import { returnLines, returns } from "../../../../shared/schema.ts";

export const returnStatuses = ["requested", "approved", "refunded", "rejected"] as const;

export const ReturnLineSchema = z
  .object({
    position: z.number().int().min(0).openapi({ description: "The order line's position in the order's `lines`." }),
    quantity: z.number().int().min(1),
  })
  .strict();

export const ReturnSchema = z
  .object({
    id: z.string(),
    object: z.literal("return"),
    orderId: z.string(),
    merchantId: z.string(),
    customerId: z.string(),
    status: z.enum(returnStatuses).openapi({
      description:
        "requested → approved (its refund asked of the provider) → refunded (the refund succeeded), or requested → rejected.",
    }),
    reason: z.string(),
    rejectionReason: z.string().nullable(),
    restock: z.boolean().nullable().openapi({ description: "Whether approval put the units back in stock." }),
    refundId: z.string().nullable(),
    lines: z.array(ReturnLineSchema),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Return");

export type Return = z.infer<typeof ReturnSchema>;
type ReturnRow = typeof returns.$inferSelect;

export function toReturn(row: ReturnRow, lines: readonly { position: number; quantity: number }[]): Return {
  return {
    id: row.id,
    object: "return",
    orderId: row.orderId,
    merchantId: row.merchantId,
    customerId: row.customerId,
    status: row.status,
    reason: row.reason,
    rejectionReason: row.rejectionReason,
    restock: row.restock,
    refundId: row.refundId,
    lines: lines.map((line) => ({ position: line.position, quantity: line.quantity })),
    decidedAt: row.decidedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Return rows as the API shows them, with their lines in one query. */
async function withLines(db: Database, rows: ReturnRow[]): Promise<Return[]> {
  const ids = rows.map((row) => row.id);
  const lines =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(returnLines)
          .where(inArray(returnLines.returnId, ids))
          .orderBy(asc(returnLines.position));
  return rows.map((row) =>
    toReturn(
      row,
      lines.filter((line) => line.returnId === row.id),
    ),
  );
}

export async function readReturn(db: Database, returnId: string): Promise<Return | null> {
  const row = await db.query.returns.findFirst({ where: eq(returns.id, returnId) });
  return row ? ((await withLines(db, [row]))[0] ?? null) : null;
}

/** One page of returns matching `owner` (a merchant's or a customer's), newest first, fetched with one row more. */
export async function listReturns(
  db: Database,
  filter: { owner: SQL; status?: Return["status"]; orderId?: string },
  page: { after: string | undefined; limit: number },
): Promise<Return[]> {
  const rows = await db
    .select()
    .from(returns)
    .where(
      and(
        filter.owner,
        filter.status ? eq(returns.status, filter.status) : undefined,
        filter.orderId ? eq(returns.orderId, filter.orderId) : undefined,
        page.after ? lt(returns.id, page.after) : undefined,
      ),
    )
    .orderBy(desc(returns.id))
    .limit(page.limit);
  return withLines(db, rows);
}
