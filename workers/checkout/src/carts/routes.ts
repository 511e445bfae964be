// Carts for guests (a storefront's publishable key) and signed-in shoppers: their lines, the coupons applied to
// them, and their checkout into an order.
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency, resumedRun } from "#shared/idempotency.ts";
import { newId } from "#shared/ids.ts";
import { productSignalStatements, signalWeights } from "#shared/interests.ts";
import { learn } from "#shared/learn.ts";
import { modeGuard } from "#shared/modes.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idOf, idParam, setOf } from "#shared/openapi/schemas.ts";
import { checkFirst, customerOf, livemodeOf, modeOf, principalOf } from "#shared/principal.ts";
import { carts, orders } from "#shared/schema.ts";
import { defaultPaymentProvider, paymentProviders } from "../config.ts";
import { OrderSchema, readOrder } from "../orders/order.ts";
import { paymentProvider } from "../payments/providers.ts";
import { addCartLine, MAX_LINE_QUANTITY, openCart } from "./add-cart-line.ts";
import { applyCoupons } from "./apply-coupons.ts";
import { CartSchema, cartPromotions, priceLines, toCart } from "./cart.ts";
import { changeCartLine } from "./change-cart-line.ts";
import { checkoutCart } from "./checkout-cart.ts";

const quantity = z.number().int().min(1).max(MAX_LINE_QUANTITY);

const LineInput = z
  .object({
    skuId: idOf("sku"),
    quantity: quantity.optional().openapi({ description: "Default 1; for a held line, the hold's quantity." }),
    flashSaleId: idOf("fs").optional(),
    holdId: idOf("hold")
      .optional()
      .openapi({ description: "With flashSaleId: the line is this hold's units at the sale price." }),
    attribution: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .openapi({ description: "The reference a note or live session gave the product link (opaque here)." }),
  })
  .strict()
  .refine((line) => (line.holdId === undefined) === (line.flashSaleId === undefined), {
    path: ["holdId"],
    message: "holdId and flashSaleId come together",
  })
  .openapi("CartLineInput");

const lineParams = z.object({
  id: idParam("cart").shape.id,
  lineId: z
    .string()
    .regex(/^(sku|hold)_[0-9A-Za-z]{1,64}$/, "must be a line id (a sku_ or hold_ id)")
    .openapi({ param: { name: "lineId", in: "path" } }),
});

/** What a change to a cart's lines answers: the cart as it is after. */
const theCart = ok(CartSchema, "The cart", 400, 401, 404, 409);

/** The payment provider a checkout (or a pre-sale's payment) asks for; by default the deployment's. */
export const ProviderInput = z.object({ paymentProvider: z.enum(paymentProviders).optional() }).strict();

const createCartRoute = route("POST /", "Create a cart", {
  description:
    "A guest (publishable key) or a signed-in shopper. The cart's id is its capability for guests: keep it private.",
  request: { body: jsonBody(z.object({}).strict(), false) },
  responses: created(CartSchema, "The empty cart", 400, 401),
});

const getCartRoute = retrieveRoute("cart", "Retrieve a cart, priced now", ok(CartSchema, "The cart", 400, 401, 404));

const addLineRoute = route("POST /{id}/lines", "Add a line", {
  description:
    "A SKU at the catalogue price (again: adds to its line; past 999 units in all is 400 at `/quantity`, never clamped), or a flash-sale hold at the sale price. One merchant and one currency per cart (409 `conflict` otherwise).",
  request: { params: idParam("cart"), body: jsonBody(LineInput) },
  responses: theCart,
});

const changeLineRoute = route("PATCH /{id}/lines/{lineId}", "Change a line's quantity", {
  request: { params: lineParams, body: jsonBody(z.object({ quantity }).strict().openapi("CartLineUpdate")) },
  responses: theCart,
});

const removeLineRoute = route("DELETE /{id}/lines/{lineId}", "Remove a line", {
  description: "A held line's hold stays yours: cancel it or let it expire.",
  request: { params: lineParams },
  responses: theCart,
});

const checkoutRoute = route("POST /{id}/checkout", "Check a cart out into an order and its payment", {
  description:
    "Needs an Idempotency-Key: the same key returns the same order, another body 422. Regular lines take their stock all or nothing (409 `sold_out` naming the lines short); held lines commit their holds (409 `conflict` if one expired). The order awaits payment until `paymentDueAt`, then is cancelled and its stock released. `paymentProvider` defaults to the deployment's PAYMENT_PROVIDER; a provider not enabled here is 409 `payment_provider_disabled`. With Stripe the payment carries the PaymentIntent's `clientSecret` for Stripe.js; if Stripe cannot open the payment, nothing is written and holds go back (502 `payment_provider_unavailable`).",
  request: { params: idParam("cart"), body: jsonBody(ProviderInput.openapi("CheckoutInput"), false) },
  responses: created(OrderSchema, "The order", 400, 401, 404, 409, 422, 502),
});

const couponId = idOf("cpn");

const applyCouponsRoute = route("PUT /{id}/coupons", "Apply coupons to a cart", {
  description:
    "Replaces the cart's coupons (at most one merchant coupon and one platform coupon: more is 409 `stacking_not_allowed`). Each must be claimed and unused by you, in its period and the cart's currency, and its minimum spend met by the items it covers after the steps before it: else 409 `coupon_not_claimed`, `coupon_expired`, `coupon_not_applicable` (another merchant's, not yet valid, covers none of the items), `min_spend_not_met`, and nothing changes. Checkout checks them again.",
  request: {
    params: idParam("cart"),
    body: jsonBody(
      z
        .object({ couponIds: setOf(couponId).max(2) })
        .strict()
        .openapi("CartCouponsInput"),
    ),
  },
  responses: ok(CartSchema, "The cart, priced with them", 400, 401, 404, 409),
});

export const cartRoutes = createRouter<{ Bindings: Env }>();
// Every cart route is a customer's: a shopper, a creator, or a storefront's guest, refused before its input is read.
cartRoutes.use(checkFirst(customerOf));

// A cart of the other mode (test or live) is as unknown as someone else's.
const sameMode = modeGuard("SELECT livemode FROM carts WHERE id = ?", "Cart");
cartRoutes.use("/:id", sameMode);
cartRoutes.use("/:id/*", sameMode);

async function cartResponse(env: Env, cartId: string, ownerId: string) {
  const db = database(env);
  const row = await openCart(db, cartId, ownerId);
  const lines = await priceLines(env, db, cartId);
  return toCart(row, lines, env, await cartPromotions(db, row, lines, false));
}

cartRoutes.openapi(createCartRoute, async (c) => {
  const ownerId = customerOf(c);
  const db = database(c.env);
  const [row] = await db
    .insert(carts)
    .values({ id: newId("cart"), ownerId, livemode: livemodeOf(c) })
    .returning();
  if (!row) throw new Error("cart missing after insert");
  c.header("location", `/v1/carts/${row.id}`);
  return c.json(toCart(row, [], c.env), 201);
});

cartRoutes.openapi(getCartRoute, async (c) => {
  const { id } = c.req.valid("param");
  c.header("cache-control", "no-store");
  return c.json(await cartResponse(c.env, id, customerOf(c)), 200);
});

cartRoutes.openapi(addLineRoute, async (c) => {
  const { id } = c.req.valid("param");
  const ownerId = customerOf(c);
  await addCartLine({ env: c.env, db: database(c.env), cartId: id, ownerId, input: c.req.valid("json") });
  // A person's cart teaches their discover feed the product's category and merchant (shared/interests.ts).
  if (!ownerId.startsWith("guest:")) {
    const { skuId } = c.req.valid("json");
    learn(c.env, productSignalStatements(ownerId, { skuIds: [skuId] }, "cart", signalWeights.cart, new Date()));
  }
  return c.json(await cartResponse(c.env, id, ownerId), 200);
});

cartRoutes.openapi(changeLineRoute, async (c) => {
  const { id, lineId } = c.req.valid("param");
  const ownerId = customerOf(c);
  const { quantity: q } = c.req.valid("json");
  await changeCartLine({ db: database(c.env), cartId: id, ownerId, lineId, quantity: q });
  return c.json(await cartResponse(c.env, id, ownerId), 200);
});

cartRoutes.openapi(removeLineRoute, async (c) => {
  const { id, lineId } = c.req.valid("param");
  const ownerId = customerOf(c);
  await changeCartLine({ db: database(c.env), cartId: id, ownerId, lineId, quantity: null });
  return c.json(await cartResponse(c.env, id, ownerId), 200);
});

cartRoutes.post("/:id/checkout", idempotency({ required: true }));
cartRoutes.openapi(checkoutRoute, async (c) => {
  const { id } = c.req.valid("param");
  const db = database(c.env);
  const ownerId = customerOf(c);
  const exists = await db.query.carts.findFirst({ where: and(eq(carts.id, id), eq(carts.ownerId, ownerId)) });
  if (!exists) throw new ProblemError("not_found", `Cart ${id} does not exist.`);
  if (exists.status !== "open" && resumedRun(c)) {
    // This key's first run was cut off (a crash) after writing the order: its retry gets that order, not a 409.
    const written = await db.query.orders.findFirst({ where: eq(orders.cartId, id), columns: { id: true } });
    const order = written && (await readOrder(db, written.id));
    if (order) {
      c.header("location", `/v1/orders/${order.id}`);
      return c.json(order, 201);
    }
  }
  const mode = modeOf(principalOf(c));
  const provider = paymentProvider(
    c.env,
    c.req.valid("json")?.paymentProvider ?? defaultPaymentProvider(c.env, mode),
    mode,
  );
  const { orderId } = await checkoutCart({ env: c.env, db, cartId: id, ownerId, provider });
  const order = await readOrder(db, orderId);
  if (!order) throw new Error(`order ${orderId} missing after checkout`);
  if (!ownerId.startsWith("guest:")) {
    learn(c.env, productSignalStatements(ownerId, { orderId }, "order", signalWeights.order, new Date()));
  }
  c.header("location", `/v1/orders/${orderId}`);
  return c.json(order, 201);
});

cartRoutes.openapi(applyCouponsRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { couponIds } = c.req.valid("json");
  const cart = await applyCoupons({ env: c.env, db: database(c.env), cartId: id, ownerId: customerOf(c), couponIds });
  return c.json(cart, 200);
});
