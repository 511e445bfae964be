// Pre-sales with deposit (定金预售): merchants create them (`presales:write`); signed-in shoppers place an order
// (the deposit), pay the balance in its window, and may cancel before the deposit is paid; the merchant may cancel
// an order until its balance is paid, refunding the deposit. The order's OrderDeadlines moves it through its
// windows (presales/advance-presale-order.ts). Writes a client may retry take an Idempotency-Key.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { childRoutes, resourceRoutes, route } from "#shared/openapi/routes.ts";
import { idOf, idParam } from "#shared/openapi/schemas.ts";
import {
  checkFirst,
  livemodeOf,
  modeOf,
  personId,
  principalOf,
  requireMerchant,
  requirePerson,
} from "#shared/principal.ts";
import { presales } from "#shared/schema.ts";
import { ProviderInput } from "../carts/routes.ts";
import { defaultPaymentProvider } from "../config.ts";
import { orderReader } from "../orders/routes.ts";
import { paymentProvider } from "../payments/providers.ts";
import { cancelPresaleOrderOrConflict } from "./cancel-presale-order.ts";
import { createPresale } from "./create-presale.ts";
import { payBalance } from "./pay-balance.ts";
import { placePresaleOrder } from "./place-presale-order.ts";
import {
  PresaleCreateSchema,
  type PresaleOrder,
  PresaleOrderSchema,
  PresaleSchema,
  presaleOrderState,
  readPresaleOrder,
  toPresale,
} from "./presale.ts";

const orderParams = z.object({
  id: idParam("pre").shape.id,
  orderId: idOf("ord").openapi({ param: { name: "orderId", in: "path" } }),
});

const PresaleOrderInput = ProviderInput.extend({
  quantity: z.number().int().min(1).max(100).openapi({ description: "Units; at most the pre-sale's perShopperLimit." }),
}).openapi("PresaleOrderInput");

const { create, retrieve } = resourceRoutes("pre", PresaleSchema, "The pre-sale", {
  create: {
    summary: "Create a pre-sale with deposit",
    input: PresaleCreateSchema,
    answer: "The pre-sale (Location)",
    problems: [400, 401, 403, 404, 422],
    description:
      "Needs `presales:write` (or `flash_sales:write`). Your SKU, its price, the deposit per unit and what it deducts from the price (`deduction`, at least the deposit and less than the price: pay 100, deduct 150), the units on pre-sale, the per-shopper limit, the deposit window and the balance window (by default the campaign's main day: `campaignId`). Units leave the SKU's stock as orders are placed. Takes an optional Idempotency-Key.",
  },
  retrieve: { summary: "Retrieve a pre-sale", problems: [400, 404] },
});

const orders = childRoutes("pre", "orders", PresaleOrderSchema, "The pre-sale order", {
  create: {
    summary: "Place a pre-sale order (its deposit payment)",
    input: PresaleOrderInput,
    problems: [400, 401, 404, 409, 422, 502],
    description:
      "A shopper (or creator) token and an Idempotency-Key. In the deposit window, takes the units from stock and opens the deposit payment: 201 with the order `pending_deposit`; unpaid by its `paymentDueAt`, it is cancelled and the units go back. 409 `presale_not_open` outside the deposit window, `limit_exceeded` past the per-shopper limit (orders not cancelled count), `sold_out` when the pre-sale or the SKU has too few units; a refusal writes nothing and charges nothing.",
  },
});

const getOrderRoute = route("GET /{id}/orders/{orderId}", "Retrieve a pre-sale order with both its payments", {
  description:
    "Its customer, or its merchant with `orders:read`; another shopper or merchant gets 404, and no credential 401.",
  caller: orderReader,
  request: { params: orderParams },
  responses: ok(PresaleOrderSchema, "The pre-sale order", 400, 401, 403, 404),
});

const balanceRoute = route("POST /{id}/orders/{orderId}/balance", "Pay the balance of a pre-sale order", {
  description:
    "Its customer, with an Idempotency-Key, inside the balance window: opens the balance payment (201; 200 with the one already opened). 409 `balance_not_open` before the window, `balance_window_closed` after it (the deposit is forfeited), `conflict` while the deposit is unpaid; nothing is charged on a refusal.",
  request: { params: orderParams, body: jsonBody(ProviderInput.openapi("BalancePaymentInput"), false) },
  responses: {
    ...ok(PresaleOrderSchema, "The balance payment was already open"),
    ...created(PresaleOrderSchema, "The pre-sale order with its balance payment", 400, 401, 404, 409, 422, 502),
  },
});

const cancelRoute = route("POST /{id}/orders/{orderId}/cancel", "Cancel a pre-sale order", {
  description:
    "Its customer while the deposit is unpaid (a paid deposit is not refunded at the shopper's wish: 409 `conflict`). Its merchant (`presales:write`) until the balance is paid or processing: the merchant is at fault, and the deposit is refunded in full. Units go back to stock. Idempotent.",
  request: { params: orderParams },
  responses: ok(PresaleOrderSchema, "The pre-sale order", 400, 401, 403, 404, 409),
});

export const presaleRoutes = createRouter<{ Bindings: Env }>();

/** A merchant key with `presales:write`, or one with `flash_sales:write` (the pre-sale scope came later). */
function requirePresaleMerchant(c: Context) {
  const { actor } = principalOf(c);
  if (
    actor.type === "merchant" &&
    !actor.scopes.includes("presales:write") &&
    actor.scopes.includes("flash_sales:write")
  ) {
    return actor;
  }
  return requireMerchant(c, "presales:write");
}

/** Who may cancel a pre-sale order: a pre-sale merchant (answered) or a signed-in person, its customer (undefined). */
function requirePresaleCanceller(c: Context) {
  return principalOf(c).actor.type === "merchant" ? requirePresaleMerchant(c) : void requirePerson(c);
}

/** The pre-sale order as the caller may see it (its customer, or its merchant with `scope`); else 404. */
async function visiblePresaleOrder(c: Context<{ Bindings: Env }>, presaleId: string, orderId: string) {
  const order = await readPresaleOrder(database(c.env), orderId);
  const { actor } = principalOf(c);
  const allowed =
    order !== null &&
    order.presaleId === presaleId &&
    // The other mode's order is as unknown as another's.
    order.order.livemode === livemodeOf(c) &&
    (actor.type === "merchant"
      ? requireMerchant(c, "orders:read").merchantId === order.order.merchantId
      : (actor.type === "shopper" || actor.type === "creator") && personId(actor) === order.order.customerId);
  if (!order || !allowed) throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  return order;
}

async function presaleOrderOf(c: Context<{ Bindings: Env }>, orderId: string): Promise<PresaleOrder> {
  const order = await readPresaleOrder(database(c.env), orderId);
  if (!order) throw new Error(`presale order ${orderId} missing after write`);
  return order;
}

presaleRoutes.post("/", checkFirst(requirePresaleMerchant), idempotency({ required: false }));
presaleRoutes.openapi(create, async (c) => {
  const merchant = requirePresaleMerchant(c);
  const now = new Date();
  const row = await createPresale({
    db: database(c.env),
    merchantId: merchant.merchantId,
    input: c.req.valid("json"),
    now,
  });
  c.header("location", `/v1/presales/${row.id}`);
  return c.json(toPresale(row, now), 201);
});

presaleRoutes.openapi(retrieve, async (c) => {
  const { id } = c.req.valid("param");
  const row = await database(c.env).query.presales.findFirst({ where: eq(presales.id, id) });
  if (!row) throw new ProblemError("not_found", `Pre-sale ${id} does not exist.`);
  c.header("cache-control", "no-store");
  return c.json(toPresale(row, new Date()), 200);
});

// Who, before the key and the body are read.
for (const path of ["/:id/orders", "/:id/orders/:orderId/balance"]) {
  presaleRoutes.post(path, checkFirst(requirePerson), idempotency({ required: true }));
}

presaleRoutes.openapi(orders.create, async (c) => {
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const db = database(c.env);
  const mode = modeOf(principalOf(c));
  const { orderId } = await placePresaleOrder({
    env: c.env,
    db,
    presaleId: id,
    ownerId: personId(requirePerson(c)),
    quantity: input.quantity,
    provider: paymentProvider(c.env, input.paymentProvider ?? defaultPaymentProvider(c.env, mode), mode),
    livemode: mode === "live",
  });
  c.header("location", `/v1/presales/${id}/orders/${orderId}`);
  return c.json(await presaleOrderOf(c, orderId), 201);
});

presaleRoutes.openapi(getOrderRoute, async (c) => {
  const { id, orderId } = c.req.valid("param");
  c.header("cache-control", "private, no-store");
  return c.json(await visiblePresaleOrder(c, id, orderId), 200);
});

presaleRoutes.openapi(balanceRoute, async (c) => {
  const { id, orderId } = c.req.valid("param");
  const ownerId = personId(requirePerson(c));
  await visiblePresaleOrder(c, id, orderId);
  const db = database(c.env);
  const mode = modeOf(principalOf(c));
  const name = c.req.valid("json")?.paymentProvider ?? defaultPaymentProvider(c.env, mode);
  const { created } = await payBalance({ db, orderId, ownerId, provider: paymentProvider(c.env, name, mode) });
  return c.json(await presaleOrderOf(c, orderId), created ? 201 : 200);
});

presaleRoutes.post(
  "/:id/orders/:orderId/cancel",
  checkFirst(requirePresaleCanceller),
  idempotency({ required: false }),
);
presaleRoutes.openapi(cancelRoute, async (c) => {
  const { id, orderId } = c.req.valid("param");
  const isMerchant = requirePresaleCanceller(c) !== undefined;
  await visiblePresaleOrder(c, id, orderId);
  const db = database(c.env);
  const state = await presaleOrderState(db, orderId);
  if (!state) throw new ProblemError("not_found", `Order ${orderId} does not exist.`);
  await cancelPresaleOrderOrConflict({ env: c.env, db, state, reason: isMerchant ? "merchant" : "customer" });
  return c.json(await presaleOrderOf(c, orderId), 200);
});
