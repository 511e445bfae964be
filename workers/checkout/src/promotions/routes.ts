// Spend-and-save rules (a merchant's with `promotions:write`, or the operator's for a campaign), read by anyone;
// and the coupons a shopper applies to a cart (`PUT /v1/carts/{id}/coupons`), checked as checkout will check them.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gt } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { idParam, jsonContent, problemResponses } from "#shared/openapi.ts";
import { carts, spendSaveRules } from "#shared/schema.ts";
import { openCart, requireOpen } from "../add-cart-line.ts";
import { CartSchema, cartPromotions, customerOf, priceLines, toCart } from "../cart.ts";
import { createSpendSave, SpendSaveCreateSchema, SpendSaveSchema, toSpendSave } from "../promotions/spend-save.ts";
import { issuer } from "./coupons.ts";

const createRuleRoute = createRoute({
  method: "post",
  path: "/spend-and-save",
  summary: "Create a spend-and-save rule (满减)",
  description:
    "A merchant (`promotions:write`): over all its products. The operator: over a campaign's products (`campaignId`). `every` (one tier: each full threshold takes `off`) or `tiered` (the highest threshold reached). Of the rules in force for an order, the one saving most applies (they do not add up). Optional Idempotency-Key.",
  request: { body: { required: true, content: { "application/json": { schema: SpendSaveCreateSchema } } } },
  responses: { 201: jsonContent(SpendSaveSchema, "The rule"), ...problemResponses(400, 401, 403, 422) },
});

const listRulesRoute = createRoute({
  method: "get",
  path: "/spend-and-save",
  summary: "Spend-and-save rules not yet ended",
  request: {
    query: z.object({
      merchantId: z
        .string()
        .regex(/^mer_[0-9A-Za-z]{1,64}$/)
        .optional(),
      campaignId: z
        .string()
        .regex(/^cmp_[0-9A-Za-z]{1,64}$/)
        .optional(),
    }),
  },
  responses: {
    200: jsonContent(z.object({ data: z.array(SpendSaveSchema) }).openapi("SpendAndSaveList"), "The rules"),
    ...problemResponses(400),
  },
});

export const promotionRoutes = createRouter<{ Bindings: Env }>();

promotionRoutes.post("/spend-and-save", async function ruleIssuer(c, next) {
  issuer(c);
  await next();
});
promotionRoutes.post("/spend-and-save", idempotency({ required: false }));
promotionRoutes.openapi(createRuleRoute, async (c) => {
  const row = await createSpendSave(database(c.env), issuer(c), c.req.valid("json"));
  return c.json(toSpendSave(row), 201);
});

promotionRoutes.openapi(listRulesRoute, async (c) => {
  const { merchantId, campaignId } = c.req.valid("query");
  const rows = await database(c.env)
    .select()
    .from(spendSaveRules)
    .where(
      and(
        gt(spendSaveRules.endsAt, new Date().toISOString()),
        merchantId ? eq(spendSaveRules.merchantId, merchantId) : undefined,
        campaignId ? eq(spendSaveRules.campaignId, campaignId) : undefined,
      ),
    )
    .orderBy(desc(spendSaveRules.id))
    .limit(100);
  c.header("cache-control", "public, max-age=60");
  return c.json({ data: rows.map(toSpendSave) }, 200);
});

const couponId = z.string().regex(/^cpn_[0-9A-Za-z]{1,64}$/, "must be an id starting with cpn_");

const applyCouponsRoute = createRoute({
  method: "put",
  path: "/{id}/coupons",
  summary: "Apply coupons to a cart",
  description:
    "Replaces the cart's coupons (at most one merchant coupon and one platform coupon: more is 409 `stacking_not_allowed`). Each must be claimed and unused by you, in its period and the cart's currency, and its minimum spend met by the items it covers after the steps before it: else 409 `coupon_not_claimed`, `coupon_expired`, `coupon_not_applicable` (another merchant's, not yet valid, covers none of the items), `min_spend_not_met`, and nothing changes. Checkout checks them again.",
  request: {
    params: idParam("cart"),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ couponIds: z.array(couponId).max(2) })
            .strict()
            .openapi("CartCouponsInput"),
        },
      },
    },
  },
  responses: { 200: jsonContent(CartSchema, "The cart, priced with them"), ...problemResponses(400, 401, 404, 409) },
});

/** Mounted under /v1/carts beside the cart routes. */
export const cartCouponRoutes = createRouter<{ Bindings: Env }>();

cartCouponRoutes.openapi(applyCouponsRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { couponIds } = c.req.valid("json");
  const db = database(c.env);
  const cart = await openCart(db, id, customerOf(c));
  requireOpen(cart);
  const row = { ...cart, couponIds };
  const lines = await priceLines(c.env, db, id);
  const promotions = await cartPromotions(db, row, lines, true);
  await db
    .update(carts)
    .set({ couponIds, version: cart.version + 1, updatedAt: new Date().toISOString() })
    .where(eq(carts.id, id));
  return c.json(toCart(row, lines, c.env, promotions), 200);
});
