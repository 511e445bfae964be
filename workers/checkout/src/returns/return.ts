// The API shape of returns, declared once, and reading them with their lines (one query).
import { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import { returns } from "#shared/schema.ts";

export const returnStatuses = ["requested", "approved", "refunded", "rejected"] as const;

export const ReturnLineSchema = z
  .object({
    position: z.number().int().min(0).openapi({ description: "The order line's position in the order's `lines`." }),
    quantity: z.number().int().min(1),
  })
  .strict();

export const ReturnSchema = z
  .object({
    ...resourceFields("return"),
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

/** Each return with its lines (as JSON text), in one query. */
const withLines = {
  row: returns,
  lines: sql<string>`(SELECT json_group_array(json_object('position', l.position, 'quantity', l.quantity))
    FROM (SELECT position, quantity FROM return_lines WHERE return_id = ${returns.id} ORDER BY position) l)`,
};

const toReturns = (rows: { row: ReturnRow; lines: string }[]) =>
  rows.map(({ row, lines }) => toReturn(row, JSON.parse(lines) as { position: number; quantity: number }[]));

export async function readReturn(db: Database, returnId: string): Promise<Return | null> {
  return toReturns(await db.select(withLines).from(returns).where(eq(returns.id, returnId)))[0] ?? null;
}

/** What a merchant's decision on a return starts from: the return, read as `merchantId`'s (merchantsReturn). */
export interface ReturnDecision {
  db: Database;
  returnId: string;
  merchantId: string;
}

/** The return if it is `merchantId`'s, else a 404 problem. */
export async function merchantsReturn(db: Database, returnId: string, merchantId: string): Promise<Return> {
  const found = await readReturn(db, returnId);
  if (!found || found.merchantId !== merchantId)
    throw new ProblemError("not_found", `Return ${returnId} does not exist.`);
  return found;
}

/** One page of returns matching `owner` (a merchant's or a customer's), newest first, fetched with one row more. */
export async function listReturns(
  db: Database,
  filter: { owner: SQL; status?: Return["status"]; orderId?: string },
  page: { after: string | undefined; limit: number },
): Promise<Return[]> {
  const rows = await db
    .select(withLines)
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
  return toReturns(rows);
}
