// Creator commissions: a creator sees what it has earned (its session), a merchant (`orders:read`) what it owes;
// both as ledger entries, newest first, with totals per currency (pending, payable, reversed).
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent, problemResponses } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { checkFirst, livemodeOf, merchantOrCreator } from "#shared/principal.ts";
import { CommissionEntrySchema, CommissionTotalsSchema, type LedgerOwner, readLedger } from "./commission.ts";

const listRoute = route("GET /", "List commission ledger entries, newest first, with totals", {
  description:
    "A creator (its session): its earnings. A merchant with `orders:read`: what it owes creators. `totals` cover all the caller's entries (of `orderId` when given), per currency: earned, reversed, and their net split into pending and payable (pending + payable = earned − reversed).",
  caller: checkFirst((c) => merchantOrCreator(c, "orders:read")),
  request: { query: pageQuery.extend({ orderId: z.string().max(64).optional() }).strict() },
  responses: {
    200: jsonContent(
      z.object({
        data: z.array(CommissionEntrySchema),
        nextCursor: z.string().nullable(),
        totals: z.array(CommissionTotalsSchema),
      }),
      "A page of entries and the totals",
    ),
    ...problemResponses(400, 401, 403),
  },
});

export const commissionRoutes = createRouter<{ Bindings: Env }>();

commissionRoutes.openapi(listRoute, async (c) => {
  const query = c.req.valid("query");
  const livemode = livemodeOf(c);
  const owner: LedgerOwner = { ...merchantOrCreator(c, "orders:read"), livemode };
  const { entries, totals } = await readLedger(c.env, database(c.env), owner, {
    orderId: query.orderId,
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  c.header("cache-control", "private, no-store");
  return c.json({ ...page(entries, query.limit), totals }, 200);
});
