// Returns, once asked for (POST /v1/orders/{id}/returns, in orders/routes.ts): the order's merchant (`orders:write`)
// approves, refunding the lines and optionally restocking them, or rejects. Both list and read theirs (merchants
// with `orders:read`); anyone else's return is a 404.
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { modeGuard } from "#shared/modes.ts";
import { jsonBody, ok } from "#shared/openapi/responses.ts";
import { resourceRoutes, route } from "#shared/openapi/routes.ts";
import { idParam } from "#shared/openapi/schemas.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import {
  checkFirst,
  livemodeOf,
  merchantScope,
  personId,
  requireMerchant,
  requireMerchantOr,
  requirePerson,
} from "#shared/principal.ts";
import { returns } from "#shared/schema.ts";
import { approveReturn } from "./approve-return.ts";
import { rejectReturn } from "./reject-return.ts";
import { listReturns, type Return, ReturnSchema, readReturn, returnStatuses } from "./return.ts";

// Who may read returns: a merchant (`orders:read`), or a signed-in shopper or creator (their own).
const reader = checkFirst((c) => requireMerchantOr(c, "orders:read", requirePerson));

const { list, retrieve } = resourceRoutes("ret", ReturnSchema, "The return", {
  list: {
    summary: "List returns, newest first",
    description: "A signed-in shopper or creator: their own. A merchant with `orders:read`: those of its orders.",
    query: pageQuery
      .extend({ status: z.enum(returnStatuses).optional(), orderId: z.string().max(64).optional() })
      .strict(),
    page: "A page of returns",
    caller: reader,
  },
  retrieve: {
    caller: reader,
    summary: "Retrieve a return",
    description: "Its customer, or its merchant with `orders:read`.",
  },
});

const approveRoute = route(
  "POST /{id}/approve",
  "Approve a requested return: refund its lines, optionally restock them",
  {
    description:
      "Its merchant, `orders:write` (Idempotency-Key accepted). Refunds the lines through the order's payment provider (a refund with `lines`); the return is `approved` until that refund succeeds, then `refunded`. With `restock`, the units go back in stock through the inventory ledger (`return_restock`). 409 `conflict` unless requested (or approved with a refund that failed: approving again asks for a new one); 409 `refund_exceeds_payment` if the lines were refunded meanwhile.",
    request: {
      params: idParam("ret"),
      body: jsonBody(
        z
          .object({ restock: z.boolean().default(false) })
          .strict()
          .openapi("ApproveReturnInput"),
        false,
      ),
    },
    responses: ok(ReturnSchema, "The return", 400, 401, 403, 404, 409, 422, 502),
  },
);

const rejectRoute = route("POST /{id}/reject", "Reject a requested return", {
  caller: merchantScope("orders:write"),
  description: "Its merchant, `orders:write`, saying why. 409 `conflict` unless requested.",
  request: {
    params: idParam("ret"),
    body: jsonBody(
      z
        .object({ reason: z.string().min(1).max(500) })
        .strict()
        .openapi("RejectReturnInput"),
    ),
  },
  responses: ok(ReturnSchema, "The return", 400, 401, 403, 404, 409),
});

export const returnRoutes = createRouter<{ Bindings: Env }>();

// A return of the other mode's order (test or live) is as unknown as someone else's.
const sameMode = modeGuard(
  "SELECT o.livemode FROM returns r JOIN orders o ON o.id = r.order_id WHERE r.id = ?",
  "Return",
);
returnRoutes.use("/:id", sameMode);
returnRoutes.use("/:id/*", sameMode);

/** Whose returns the caller sees: a merchant's (with `orders:read`) or a person's own, in the caller's mode; 401 otherwise. */
function visibleTo(c: Context) {
  const inMode = sql`(SELECT livemode FROM orders WHERE id = ${returns.orderId}) = ${livemodeOf(c) ? 1 : 0}`;
  const merchant = requireMerchantOr(c, "orders:read", requirePerson);
  if (merchant) {
    const { merchantId } = merchant;
    return {
      owner: sql`${eq(returns.merchantId, merchantId)} AND ${inMode}`,
      sees: (r: Return) => r.merchantId === merchantId,
    };
  }
  const customerId = personId(requirePerson(c));
  return {
    owner: sql`${eq(returns.customerId, customerId)} AND ${inMode}`,
    sees: (r: Return) => r.customerId === customerId,
  };
}

returnRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const rows = await listReturns(
    database(c.env),
    { owner: visibleTo(c).owner, status: query.status, orderId: query.orderId },
    { after: decodeCursor(query.cursor), limit: query.limit + 1 },
  );
  c.header("cache-control", "private, no-store");
  return c.json(page(rows, query.limit), 200);
});

returnRoutes.openapi(retrieve, async (c) => {
  const { id } = c.req.valid("param");
  const caller = visibleTo(c);
  const found = await readReturn(database(c.env), id);
  if (!found || !caller.sees(found)) throw new ProblemError("not_found", `Return ${id} does not exist.`);
  c.header("cache-control", "private, no-store");
  return c.json(found, 200);
});

returnRoutes.post("/:id/approve", merchantScope("orders:write"), idempotency({ required: false }));
returnRoutes.openapi(approveRoute, async (c) => {
  const { id } = c.req.valid("param");
  const approved = await approveReturn({
    env: c.env,
    db: database(c.env),
    returnId: id,
    merchantId: requireMerchant(c, "orders:write").merchantId,
    restock: c.req.valid("json")?.restock ?? false,
  });
  return c.json(approved, 200);
});

returnRoutes.openapi(rejectRoute, async (c) => {
  const { id } = c.req.valid("param");
  const rejected = await rejectReturn({
    db: database(c.env),
    returnId: id,
    merchantId: requireMerchant(c, "orders:write").merchantId,
    reason: c.req.valid("json").reason,
  });
  return c.json(rejected, 200);
});
