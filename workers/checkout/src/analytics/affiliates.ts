// A merchant's sales through creators, over a range of UTC days: the GMV and orders of credited lines of orders
// paid in the range, and the commission they earned net of reversals so far, by creator and by affiliate plan (null:
// credited at the shelf's, product's or merchant's rate). Read from the orders and the commission ledger as they are,
// of the caller's mode only.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Row } from "@libsql/client/web";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { money } from "#shared/money.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { calendarDay, MoneySchema } from "#shared/openapi/schemas.ts";
import { livemodeOf } from "#shared/principal.ts";
import { textOrNull } from "#shared/rows.ts";
import { analyticsCaller, authorizeScope } from "./access.ts";

const FiguresRowSchema = z.object({
  currency: z.string(),
  gmv: MoneySchema.openapi({ description: "What the credited lines were paid (before refunds)." }),
  orders: z.number().int().openapi({ description: "Orders with at least one such line." }),
  commission: MoneySchema.openapi({ description: "Their commissions, net of reversals so far." }),
});

const AffiliateFiguresSchema = z
  .object({
    object: z.literal("affiliate_figures"),
    merchantId: z.string(),
    from: z.string(),
    to: z.string(),
    byCreator: z
      .array(FiguresRowSchema.extend({ creatorId: z.string() }))
      .openapi({ description: "By GMV, largest first." }),
    byPlan: z
      .array(FiguresRowSchema.extend({ affiliatePlanId: z.string().nullable() }))
      .openapi({ description: "By GMV, largest first; null: lines credited without a plan." }),
  })
  .openapi("AffiliateFigures");

const day = calendarDay;

const affiliateFiguresRoute = route(
  "GET /merchants/{id}/affiliates",
  "A merchant's sales through creators, by creator and by plan",
  {
    description:
      "A merchant's secret key with `analytics:read` (`me`), or the operator. Orders paid from `from` to `to` (UTC days, inclusive; default the last 30), of the caller's mode.",
    request: {
      params: z.object({
        id: z
          .string()
          .regex(/^(me|mer_[0-9A-Za-z]{1,64})$/, "me or a merchant id")
          .openapi({ param: { name: "id", in: "path" }, example: "me" }),
      }),
      query: z.object({ from: day.optional(), to: day.optional() }).strict(),
    },
    responses: ok(AffiliateFiguresSchema, "The figures", 400, 401, 403, 404),
  },
);

const figures = (row: Row) => {
  const currency = String(row.currency);
  return {
    currency,
    gmv: money(row.gmv, currency),
    orders: Number(row.orders),
    commission: money(row.commission, currency),
  };
};

/** Adds the route to the analytics router (mounted at /v1/analytics). */
export function affiliateFigureRoutes(router: OpenAPIHono<{ Bindings: Env }>): void {
  router.openapi(affiliateFiguresRoute, async (c) => {
    const caller = analyticsCaller(c);
    if (caller.type === "creator")
      throw new ProblemError("not_found", "A creator reads its own figures at /v1/analytics/creators/me.");
    const db = database(c.env);
    const scope = await authorizeScope(db, caller, "merchant", c.req.valid("param").id);
    const query = c.req.valid("query");
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) {
      throw new ProblemError("validation_failed", `from ${from} is after to ${to}.`, {
        errors: [{ path: "/from", message: "must not be after to" }],
      });
    }
    const lines = `SELECT e.creator_id, e.affiliate_plan_id, e.order_id, o.currency,
        l.unit_amount * l.quantity - l.discount_amount AS paid,
        (SELECT sum(amount) FROM commission_entries x WHERE x.order_id = e.order_id AND x.position = e.position) AS commission
      FROM commission_entries e
      JOIN orders o ON o.id = e.order_id
      JOIN order_lines l ON l.order_id = e.order_id AND l.position = e.position
      WHERE e.merchant_id = :merchant AND e.kind = 'earned' AND o.livemode = :livemode
        AND o.paid_at >= :from AND o.paid_at < strftime('%Y-%m-%dT%H:%M:%fZ', :to, '+1 day')`;
    const grouped = (key: string) => ({
      sql: `SELECT ${key}, currency, sum(paid) AS gmv, count(DISTINCT order_id) AS orders, sum(commission) AS commission
            FROM (${lines}) GROUP BY ${key}, currency ORDER BY gmv DESC, ${key} LIMIT 100`,
      args: {
        merchant: scope.id,
        livemode: livemodeOf(c) ? 1 : 0,
        from: `${from}T00:00:00.000Z`,
        to: `${to}T00:00:00.000Z`,
      },
    });
    const [byCreator, byPlan] = await db.$client.batch([grouped("creator_id"), grouped("affiliate_plan_id")], "read");
    c.header("cache-control", "private, no-store");
    return c.json(
      {
        object: "affiliate_figures" as const,
        merchantId: scope.id,
        from,
        to,
        byCreator: (byCreator?.rows ?? []).map((row) => ({ creatorId: String(row.creator_id), ...figures(row) })),
        byPlan: (byPlan?.rows ?? []).map((row) => ({
          affiliatePlanId: textOrNull(row.affiliate_plan_id),
          ...figures(row),
        })),
      },
      200,
    );
  });
}
