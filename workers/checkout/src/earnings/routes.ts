// A creator's earnings: its commission ledger (commissions/commission.ts) summed by status (pending, payable,
// reversed) and by month, each entry naming the order line it is for, and the affiliate plan whose rate it earned;
// beside them, the fees of paid collaborations (collaboration_ledger `payable` rows), each naming its application.
// Of the caller's mode only (the orders' `livemode`), as the ledger.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { money } from "#shared/money.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { MoneySchema } from "#shared/openapi/schemas.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { checkFirst, livemodeOf, requireCreator } from "#shared/principal.ts";
import { textOrNull } from "#shared/rows.ts";
import { CommissionEntrySchema, CommissionTotalsSchema, readLedger } from "../commissions/commission.ts";
import { payableAtSql } from "../returns/return-window.ts";

const MonthSchema = z
  .object({
    month: z.string().openapi({ example: "2026-12", description: "The UTC month the entries were written in." }),
    currency: z.string(),
    earned: MoneySchema,
    reversed: MoneySchema.openapi({ description: "Reversals written that month, as a positive amount." }),
    net: MoneySchema.openapi({ description: "earned − reversed." }),
    pending: MoneySchema,
    payable: MoneySchema,
  })
  .openapi("EarningsMonth");

const CollaborationFeeSchema = z
  .object({
    applicationId: z.string(),
    collaborationId: z.string(),
    merchantId: z.string(),
    noteId: z.string().nullable(),
    amount: MoneySchema,
    payableAt: z.string().openapi({ description: "When the merchant (or the 7-day rule) approved the note." }),
  })
  .openapi("CollaborationFee");

const EarningsSchema = z
  .object({
    object: z.literal("creator_earnings"),
    creatorId: z.string(),
    totals: z.array(CommissionTotalsSchema).openapi({
      description: "Per currency over every entry: earned, reversed, and the net split into pending and payable.",
    }),
    months: z.array(MonthSchema).openapi({ description: "The last 24 months with entries, newest first." }),
    data: z.array(CommissionEntrySchema).openapi({
      description:
        "The entries, newest first: each names its order line (`orderId`, `position`), the refund of a reversal, and the affiliate plan.",
    }),
    nextCursor: z.string().nullable(),
    collaborationFees: z
      .object({
        totals: z.array(z.object({ currency: z.string(), payable: MoneySchema })),
        data: z.array(CollaborationFeeSchema).openapi({ description: "The latest 100, newest first." }),
      })
      .openapi({ description: "Fees of paid collaborations whose note was approved: payable, per currency." }),
  })
  .openapi("CreatorEarnings");

const earningsRoute = route("GET /", "Your earnings as a creator", {
  caller: checkFirst((c) => requireCreator(c, "Earnings")),
  description:
    "A creator (its session): commissions pending, payable and reversed, per currency and per month, and the ledger entries newest first (cursor pages), each traceable to its order line; and `collaborationFees`, the payable fees of paid collaborations, each traceable to its application. Of the session's mode (test or live) only.",
  request: { query: pageQuery.strict() },
  responses: ok(EarningsSchema, "The earnings", 400, 401),
});

export const earningsRoutes = createRouter<{ Bindings: Env }>();

earningsRoutes.openapi(earningsRoute, async (c) => {
  const creatorId = requireCreator(c, "Earnings");
  const query = c.req.valid("query");
  const db = database(c.env);
  const livemode = livemodeOf(c);
  const [{ entries, totals }, months, fees] = await Promise.all([
    readLedger(
      c.env,
      db,
      { creatorId, livemode },
      {
        after: decodeCursor(query.cursor),
        limit: query.limit + 1,
      },
    ),
    db.$client.execute({
      sql: `SELECT substr(e.created_at, 1, 7) AS month, e.currency,
              sum(CASE WHEN e.kind = 'earned' THEN e.amount ELSE 0 END) AS earned,
              -sum(CASE WHEN e.kind = 'reversal' THEN e.amount ELSE 0 END) AS reversed,
              sum(CASE WHEN ${payableAtSql(c.env)} > :now THEN e.amount ELSE 0 END) AS pending,
              sum(CASE WHEN ${payableAtSql(c.env)} <= :now THEN e.amount ELSE 0 END) AS payable
            FROM commission_entries e JOIN orders o ON o.id = e.order_id
            WHERE e.creator_id = :creator AND o.livemode = :livemode
            GROUP BY month, e.currency ORDER BY month DESC, e.currency LIMIT 24`,
      args: { creator: creatorId, livemode: livemode ? 1 : 0, now: new Date().toISOString() },
    }),
    db.$client.execute({
      sql: `SELECT l.application_id, l.collaboration_id, c.merchant_id, a.note_id, l.amount, l.currency, l.created_at
            FROM collaboration_ledger l JOIN collaboration_applications a ON a.id = l.application_id
            JOIN collaborations c ON c.id = l.collaboration_id
            WHERE a.creator_id = :creator AND l.kind = 'payable' AND c.livemode = :livemode
            ORDER BY l.id DESC`,
      args: { creator: creatorId, livemode: livemode ? 1 : 0 },
    }),
  ]);
  c.header("cache-control", "private, no-store");
  return c.json(
    {
      object: "creator_earnings" as const,
      creatorId,
      totals,
      months: months.rows.map((row) => {
        const currency = String(row.currency);
        return {
          month: String(row.month),
          currency,
          earned: money(row.earned, currency),
          reversed: money(row.reversed, currency),
          net: money(Number(row.earned) - Number(row.reversed), currency),
          pending: money(row.pending, currency),
          payable: money(row.payable, currency),
        };
      }),
      ...page(entries, query.limit),
      collaborationFees: {
        totals: [...new Set(fees.rows.map((row) => String(row.currency)))].map((currency) => ({
          currency,
          payable: money(
            fees.rows.reduce((sum, row) => sum + (row.currency === currency ? Number(row.amount) : 0), 0),
            currency,
          ),
        })),
        data: fees.rows.slice(0, 100).map((row) => ({
          applicationId: String(row.application_id),
          collaborationId: String(row.collaboration_id),
          merchantId: String(row.merchant_id),
          noteId: textOrNull(row.note_id),
          amount: money(row.amount, String(row.currency)),
          payableAt: String(row.created_at),
        })),
      },
    },
    200,
  );
});
