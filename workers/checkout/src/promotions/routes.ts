// Spend-and-save rules (a merchant's with `promotions:write`, or the operator's for a campaign), read by anyone.
// Coupons are coupons/, campaigns campaigns/; what a cart gets of all three is apply.ts.
import { z } from "@hono/zod-openapi";
import { and, desc, eq, gt } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { idOf } from "#shared/openapi/schemas.ts";
import { spendSaveRules } from "#shared/schema.ts";
import { issuer, issuersOnly } from "./issuer.ts";
import { createSpendSave, SpendSaveCreateSchema, SpendSaveSchema, toSpendSave } from "./spend-save.ts";

const createRuleRoute = route("POST /spend-and-save", "Create a spend-and-save rule (满减)", {
  description:
    "A merchant (`promotions:write`): over all its products. The operator: over a campaign's products (`campaignId`). `every` (one tier: each full threshold takes `off`) or `tiered` (the highest threshold reached). Of the rules in force for an order, the one saving most applies (they do not add up). Optional Idempotency-Key.",
  request: { body: jsonBody(SpendSaveCreateSchema) },
  responses: created(SpendSaveSchema, "The rule", 400, 401, 403, 422),
});

const listRulesRoute = route("GET /spend-and-save", "Spend-and-save rules not yet ended", {
  request: {
    query: z.object({
      merchantId: idOf("mer").optional(),
      campaignId: idOf("cmp").optional(),
    }),
  },
  responses: ok(z.object({ data: z.array(SpendSaveSchema) }).openapi("SpendAndSaveList"), "The rules", 400),
});

export const promotionRoutes = createRouter<{ Bindings: Env }>();

promotionRoutes.post("/spend-and-save", issuersOnly, idempotency({ required: false }));
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
