// Campaigns: the operator creates them; anyone reads them and their products; a merchant (`promotions:write`)
// joins with its own products and their campaign prices, and may leave before the main day.
import { z } from "@hono/zod-openapi";
import { desc, gt } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { created, jsonBody, noContent, ok } from "#shared/openapi/responses.ts";
import { resourceRoutes, route } from "#shared/openapi/routes.ts";
import { idParam, idPathParam } from "#shared/openapi/schemas.ts";
import { checkFirst, merchantScope, requireMerchant, requireOperator } from "#shared/principal.ts";
import { campaigns } from "#shared/schema.ts";
import {
  CampaignCreateSchema,
  CampaignProductSchema,
  CampaignSchema,
  campaignProductList,
  campaignRow,
  createCampaign,
  JoinSchema,
  joinCampaign,
  leaveCampaign,
  toCampaign,
} from "./campaign.ts";

const { create, retrieve } = resourceRoutes("cmp", CampaignSchema, "The campaign", {
  create: {
    summary: "Create a campaign",
    input: CampaignCreateSchema,
    problems: [400, 401, 422],
    description:
      "The operator. A festival with a badge and its periods: warm-up (the badge shows), an optional pre-sale (deposits), the main day from `mainStartsAt` (campaign prices and campaign spend-and-save apply) until `endsAt`. Optional Idempotency-Key.",
  },
  retrieve: { summary: "Retrieve a campaign", problems: [400, 404] },
});

const listCampaignsRoute = route("GET /", "Campaigns not yet ended", {
  responses: ok(z.object({ data: z.array(CampaignSchema) }).openapi("CampaignList"), "Campaigns"),
});

const joinRoute = route("POST /{id}/products", "Join a campaign with one of your products", {
  description:
    "A merchant (`promotions:write`), with its own product and, optionally, campaign prices for its SKUs (each below the list price; charged on the main day). Joining again replaces the prices. 409 `conflict` once the campaign has ended. Optional Idempotency-Key.",
  request: { params: idParam("cmp"), body: jsonBody(JoinSchema) },
  responses: created(CampaignProductSchema, "The product in the campaign", 400, 401, 403, 404, 409),
});

const leaveRoute = route("DELETE /{id}/merchants/{merchantId}", "Leave a campaign", {
  description:
    "A merchant (`promotions:write`), itself only (another merchant is a 404): all its products leave the campaign at once, with their badge and campaign prices, wherever prices are shown or charged. Only before the main day: from `mainStartsAt` on, 409 `conflict` (shoppers' carts and orders are priced by it). Idempotent: leaving again is a 204 too. Optional Idempotency-Key.",
  request: {
    params: idParam("cmp").extend({ merchantId: idPathParam("mer", "merchantId") }),
  },
  responses: noContent("The merchant is not in the campaign", 400, 401, 403, 404, 409),
});

const productsRoute = route("GET /{id}/products", "A campaign's products", {
  request: { params: idParam("cmp") },
  responses: ok(
    z.object({ data: z.array(CampaignProductSchema) }).openapi("CampaignProductList"),
    "Its products",
    400,
    404,
  ),
});

export const campaignRoutes = createRouter<{ Bindings: Env }>();

campaignRoutes.post("/", checkFirst(requireOperator));
campaignRoutes.post("/", idempotency({ required: false }));
campaignRoutes.openapi(create, async (c) => {
  const row = await createCampaign(database(c.env), c.req.valid("json"));
  c.header("location", `/v1/campaigns/${row.id}`);
  return c.json(toCampaign(row, new Date()), 201);
});

campaignRoutes.openapi(listCampaignsRoute, async (c) => {
  const now = new Date();
  const rows = await database(c.env)
    .select()
    .from(campaigns)
    .where(gt(campaigns.endsAt, now.toISOString()))
    .orderBy(desc(campaigns.id))
    .limit(100);
  c.header("cache-control", "public, max-age=60");
  return c.json({ data: rows.map((row) => toCampaign(row, now)) }, 200);
});

campaignRoutes.openapi(retrieve, async (c) => {
  const { id } = c.req.valid("param");
  return c.json(toCampaign(await campaignRow(database(c.env), id), new Date()), 200);
});

campaignRoutes.post("/:id/products", merchantScope("promotions:write"), idempotency({ required: false }));
campaignRoutes.openapi(joinRoute, async (c) => {
  const merchant = requireMerchant(c, "promotions:write");
  const { id } = c.req.valid("param");
  const db = database(c.env);
  const joined = await joinCampaign({
    db,
    campaign: await campaignRow(db, id),
    merchantId: merchant.merchantId,
    join: c.req.valid("json"),
    now: new Date(),
  });
  purge(c, `/v1/products/${joined.productId}`);
  return c.json(joined, 201);
});

campaignRoutes.delete(
  "/:id/merchants/:merchantId",
  merchantScope("promotions:write"),
  idempotency({ required: false }),
);
campaignRoutes.openapi(leaveRoute, async (c) => {
  const merchant = requireMerchant(c, "promotions:write");
  const { id, merchantId } = c.req.valid("param");
  if (merchantId !== merchant.merchantId) throw new ProblemError("not_found", `Merchant ${merchantId} does not exist.`);
  const db = database(c.env);
  const left = await leaveCampaign({ db, campaign: await campaignRow(db, id), merchantId, now: new Date() });
  if (left.length > 0) purge(c, ...left.map((productId) => `/v1/products/${productId}`));
  return c.body(null, 204);
});

campaignRoutes.openapi(productsRoute, async (c) => {
  const { id } = c.req.valid("param");
  const db = database(c.env);
  await campaignRow(db, id);
  return c.json({ data: await campaignProductList(db, id, undefined) }, 200);
});
