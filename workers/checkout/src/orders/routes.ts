// Orders: their customer (shopper, or guest by the order id) reads and cancels them, and asks to return delivered
// lines; their merchant lists, reads, fulfils, delivers and refunds them (`orders:read`, `orders:write`); another
// merchant's order is a 404. Both read an order's refunds.
import { z } from "@hono/zod-openapi";
import { asc, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { modeGuard } from "#shared/modes.ts";
import { created, jsonBody } from "#shared/openapi/responses.ts";
import { childRoutes, resourceRoutes, route } from "#shared/openapi/routes.ts";
import { distinct, idParam, MoneySchema } from "#shared/openapi/schemas.ts";
import { newestPage, pageQuery } from "#shared/pagination.ts";
import {
  checkFirst,
  customerOf,
  livemodeOf,
  merchantScope,
  personId,
  principalOf,
  requireMerchant,
  requireMerchantOr,
  requirePerson,
} from "#shared/principal.ts";
import { orderDiscounts, orderLines, orders, payments, refunds as refundRows } from "#shared/schema.ts";
import { cancelPresaleOrderOrConflict } from "../presales/cancel-presale-order.ts";
import { presaleOrderState } from "../presales/presale.ts";
import { createRefund } from "../refunds/create-refund.ts";
import { RefundSchema, readRefund, withLines } from "../refunds/refund.ts";
import { requestReturn } from "../returns/request-return.ts";
import { ReturnLineSchema, ReturnSchema } from "../returns/return.ts";
import { advanceOrder } from "./advance-order.ts";
import { cancelOrderOrConflict } from "./cancel-order.ts";
import { type Order, OrderSchema, orderStatuses, readOrder, toOrder } from "./order.ts";

const presaleStatuses = new Set<string>(["pending_deposit", "deposit_paid", "pending_balance"]);

// Who may read an order (a pre-sale order too) and its refunds: the merchant (`orders:read`) or its customer.
export const orderReader = checkFirst((c) => requireMerchantOr(c, "orders:read", customerOf));

const { list, retrieve, actions } = resourceRoutes("ord", OrderSchema, "The order", {
  list: {
    summary: "List orders, newest first",
    description:
      "A shopper: their own. A merchant with `orders:read`: its own. Guests cannot list. Only the orders of the caller's mode (test or live).",
    query: pageQuery.extend({ status: z.enum(orderStatuses).optional() }).strict(),
    page: "A page of orders",
    caller: checkFirst((c) => requireMerchantOr(c, "orders:read", requirePerson)),
  },
  retrieve: {
    summary: "Retrieve an order",
    caller: orderReader,
  },
  actions: {
    cancel: {
      caller: checkFirst((c) => requireMerchantOr(c, "orders:write", customerOf)),
      summary: "Cancel an unpaid order",
      description:
        "Its customer, or its merchant with `orders:write`. Releases its stock and holds. 409 `conflict` once paid (refund it instead) or while its payment is processing. Idempotent. A pre-sale order: its customer only before the deposit is paid, its merchant until the balance is paid (the deposit is then refunded).",
    },
    fulfil: {
      caller: merchantScope("orders:write"),
      summary: "Mark a paid order fulfilled (shipped)",
      description: "Its merchant, `orders:write`; 409 unless paid.",
    },
    deliver: {
      caller: merchantScope("orders:write"),
      summary: "Mark a fulfilled order delivered",
      description: "Its merchant, `orders:write`; 409 unless fulfilled.",
    },
  },
});

const RefundInput = z
  .object({
    amount: MoneySchema.extend({ amount: MoneySchema.shape.amount.min(1) })
      .optional()
      .openapi({ description: "In the order's currency. Default: the lines named, or all that is left to refund." }),
    lines: z
      .array(z.object({ position: z.number().int().min(0), quantity: z.number().int().min(1) }).strict())
      .min(1)
      .max(100)
      .superRefine(distinct((line) => line.position))
      .optional()
      .openapi({ description: "Order lines (by their position in `lines`) and quantities this refund is for." }),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict()
  .openapi("RefundInput");

const refunds = childRoutes("ord", "refunds", RefundSchema, "The refund", {
  create: {
    summary: "Refund a paid order, in full or in part",
    input: RefundInput,
    optional: true,
    problems: [400, 401, 403, 404, 409, 422, 502],
    description:
      "Its merchant, `orders:write`, with an Idempotency-Key. Through the order's payment provider; never more than was paid in total (409 `refund_exceeds_payment`), nor more of a line than its quantity. Only a paid, fulfilled, delivered or partially refunded order (409 `conflict` otherwise). The order becomes `partially_refunded` or `refunded` when the refund succeeds; a Stripe refund may stay `pending` until its webhook, and one whose provider could not be reached stays `pending` while its recovery alarm sends it again (same provider idempotency keys). A failed refund gives its amount back.",
  },
  list: {
    caller: orderReader,
    summary: "List an order's refunds, newest first",
    description: "Its customer, or its merchant with `orders:read`.",
    query: pageQuery.strict(),
    page: "A page of refunds",
  },
});

const ReturnInput = z
  .object({
    lines: z
      .array(ReturnLineSchema)
      .min(1)
      .max(100)
      .superRefine(distinct((line) => line.position)),
    reason: z.string().min(1).max(500),
  })
  .strict()
  .openapi("ReturnInput");

const requestReturnRoute = route("POST /{id}/returns", "Ask to return lines of a delivered order", {
  description:
    "The order's customer (a signed-in shopper or creator), with an Idempotency-Key, within `RETURN_WINDOW_DAYS` of delivery (409 `return_window_closed` after). Never more units of a line than were bought, counting every open return and every refund of it (409 `return_exceeds_order`). 409 `conflict` unless the order is delivered.",
  request: { params: idParam("ord"), body: jsonBody(ReturnInput) },
  responses: created(ReturnSchema, "The return", 400, 401, 404, 409, 422),
});

export const orderRoutes = createRouter<{ Bindings: Env }>();

// An order of the other mode (test or live) is as unknown as another merchant's or shopper's.
const sameMode = modeGuard("SELECT livemode FROM orders WHERE id = ?", "Order");
orderRoutes.use("/:id", sameMode);
orderRoutes.use("/:id/*", sameMode);

/** The order if the caller may see it: its merchant (with `scope`) or its customer; 404 otherwise. */
async function visibleOrder(
  c: Context<{ Bindings: Env }>,
  id: string,
  scope: "orders:read" | "orders:write",
): Promise<Order> {
  const order = await readOrder(database(c.env), id);
  const { actor } = principalOf(c);
  const allowed =
    actor.type === "merchant"
      ? requireMerchant(c, scope).merchantId === order?.merchantId
      : order !== null && customerOf(c) === order.customerId;
  if (!order || !allowed) throw new ProblemError("not_found", `Order ${id} does not exist.`);
  return order;
}

orderRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const merchant = requireMerchantOr(c, "orders:read", requirePerson);
  const owner = merchant ? eq(orders.merchantId, merchant.merchantId) : eq(orders.ownerId, customerOf(c));
  const db = database(c.env);
  const result = await newestPage(
    db.select().from(orders).$dynamic(),
    orders.id,
    query,
    owner,
    eq(orders.livemode, livemodeOf(c)),
    query.status ? eq(orders.status, query.status) : undefined,
  );
  const ids = result.data.map((o) => o.id);
  const [lines, pays, discounts] =
    ids.length === 0
      ? [[], [], []]
      : await db.batch([
          db.select().from(orderLines).where(inArray(orderLines.orderId, ids)).orderBy(asc(orderLines.position)),
          db.select().from(payments).where(inArray(payments.orderId, ids)).orderBy(asc(payments.id)),
          db.select().from(orderDiscounts).where(inArray(orderDiscounts.orderId, ids)),
        ]);
  const data = result.data.map((row) =>
    toOrder(
      row,
      lines.filter((l) => l.orderId === row.id),
      pays.filter((p) => p.orderId === row.id).at(-1),
      discounts,
    ),
  );
  c.header("cache-control", "private, no-store");
  return c.json({ data, nextCursor: result.nextCursor }, 200);
});

orderRoutes.openapi(retrieve, async (c) => {
  const { id } = c.req.valid("param");
  c.header("cache-control", "private, no-store");
  return c.json(await visibleOrder(c, id, "orders:read"), 200);
});

orderRoutes.openapi(actions.cancel, async (c) => {
  const { id } = c.req.valid("param");
  const order = await visibleOrder(c, id, "orders:write");
  const reason = principalOf(c).actor.type === "merchant" ? "merchant" : "customer";
  const db = database(c.env);
  // A pre-sale order is cancelled by its own rule (a paid deposit is refunded only when the merchant cancels).
  const presale = presaleStatuses.has(order.status) ? await presaleOrderState(db, order.id) : null;
  if (presale) await cancelPresaleOrderOrConflict({ env: c.env, db, state: presale, reason });
  else await cancelOrderOrConflict({ env: c.env, db, orderId: order.id, reason });
  return c.json((await readOrder(database(c.env), id)) ?? order, 200);
});

for (const [route, to] of [
  [actions.fulfil, "fulfilled"],
  [actions.deliver, "delivered"],
] as const) {
  orderRoutes.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const merchant = requireMerchant(c, "orders:write");
    const db = database(c.env);
    await advanceOrder({ db, orderId: id, to, merchantId: merchant.merchantId });
    const order = await readOrder(db, id);
    if (!order) throw new ProblemError("not_found", `Order ${id} does not exist.`);
    return c.json(order, 200);
  });
}

orderRoutes.post("/:id/refunds", merchantScope("orders:write"), idempotency({ required: true }));
orderRoutes.openapi(refunds.create, async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json") ?? {};
  const db = database(c.env);
  const order = await visibleOrder(c, id, "orders:write");
  if (input.amount && input.amount.currency !== order.currency) {
    throw new ProblemError("validation_failed", `Order ${id} was paid in ${order.currency}.`, {
      errors: [{ path: "/amount/currency", message: `must be ${order.currency}` }],
    });
  }
  const refundId = await createRefund({
    env: c.env,
    db,
    orderId: id,
    merchantId: requireMerchant(c, "orders:write").merchantId,
    request: { amount: input.amount?.amount, lines: input.lines, reason: input.reason },
  });
  const refund = await readRefund(db, refundId);
  if (!refund) throw new Error(`refund ${refundId} missing after it was created`);
  return c.json(refund, 201);
});

orderRoutes.openapi(refunds.list, async (c) => {
  const { id } = c.req.valid("param");
  const query = c.req.valid("query");
  await visibleOrder(c, id, "orders:read");
  const db = database(c.env);
  const result = await newestPage(
    db.select().from(refundRows).$dynamic(),
    refundRows.id,
    query,
    eq(refundRows.orderId, id),
  );
  c.header("cache-control", "private, no-store");
  return c.json({ data: await withLines(db, result.data), nextCursor: result.nextCursor }, 200);
});

orderRoutes.post("/:id/returns", checkFirst(requirePerson), idempotency({ required: true }));
orderRoutes.openapi(requestReturnRoute, async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const created = await requestReturn({
    env: c.env,
    db: database(c.env),
    orderId: id,
    customerId: personId(requirePerson(c)),
    lines: input.lines,
    reason: input.reason,
  });
  return c.json(created, 201);
});
