// Affiliate plans: a merchant (`affiliates:write` to change, `affiliates:read` to read) offers a rate on its products;
// creators read the open plans and those naming them, and answer the ones naming them. Another merchant's plan, or a
// targeted plan not naming the creator, is a 404.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import {
  createResourceRoute,
  idParam,
  jsonBody,
  jsonContent,
  problemResponses,
  retrieveRoute,
  route,
} from "#shared/openapi.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { merchantScope, principalOf, requireCreator, requireMerchant } from "#shared/principal.ts";
import {
  AffiliatePlanCreateSchema,
  AffiliatePlanSchema,
  AffiliatePlanUpdateSchema,
  answerPlan,
  createPlan,
  endPlan,
  listPlans,
  type PlanViewer,
  readPlan,
  updatePlan,
} from "./plan.ts";

const one = (description: string) => jsonContent(AffiliatePlanSchema, description);

const createPlanRoute = createResourceRoute(
  "Create an affiliate plan",
  AffiliatePlanCreateSchema,
  { 201: one("The plan"), ...problemResponses(400, 401, 403, 422) },
  "A merchant (`affiliates:write`). `open`: any creator may promote the products; `targeted`: the named creators, each once it accepts. From `startsAt` (default now) until `endsAt` or until ended, a sale a creator brings of a product in the plan earns its rate: an accepted targeted plan first, then an open plan, then the shelf's, product's or merchant's rate (the highest rate within each). Products not the merchant's, or unknown creators, are 400 at their index. Optional Idempotency-Key.",
);

const listPlansRoute = route("GET /", "List affiliate plans, newest first", {
  description:
    "A merchant (`affiliates:read`): its own plans. A creator (its session): open plans and the targeted plans naming it (only its own answer shown).",
  request: {
    query: pageQuery.extend({ status: z.enum(["scheduled", "running", "ended"]).optional() }).strict(),
  },
  responses: {
    200: jsonContent(
      z.object({ data: z.array(AffiliatePlanSchema), nextCursor: z.string().nullable() }).openapi("AffiliatePlanList"),
      "A page of plans",
    ),
    ...problemResponses(400, 401, 403),
  },
});

const getPlanRoute = retrieveRoute(
  "afp",
  "Retrieve an affiliate plan",
  { 200: one("The plan"), ...problemResponses(400, 401, 403, 404) },
  "Its merchant (`affiliates:read`), or a creator it is open to or names.",
);

const updatePlanRoute = route("PATCH /{id}", "Change an affiliate plan's rate or end", {
  description:
    "Its merchant (`affiliates:write`). A new rate applies to sales checked out from now on; earlier sales keep the rate of their time. An ended plan is a 409 `conflict`. Optional Idempotency-Key.",
  request: { params: idParam("afp"), body: jsonBody(AffiliatePlanUpdateSchema) },
  responses: { 200: one("The plan"), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const endPlanRoute = route("POST /{id}/end", "End an affiliate plan now", {
  description:
    "Its merchant (`affiliates:write`). Sales checked out from now on are not credited under it; sales before keep their rate, and their refunds reverse at it. Ending an ended plan answers it as it is.",
  request: { params: idParam("afp") },
  responses: { 200: one("The ended plan"), ...problemResponses(400, 401, 403, 404) },
});

const answerRoute = (answer: "accept" | "decline") =>
  createRoute({
    method: "post",
    path: `/{id}/${answer}`,
    summary: answer === "accept" ? "Accept a targeted plan" : "Decline a targeted plan",
    description:
      answer === "accept"
        ? "A creator the plan names (its session): sales it brings from now on earn the plan's rate. Accepting again answers the plan as it is; an ended plan is a 409 `conflict`. The merchant is told by `affiliate_plan.accepted`."
        : "A creator the plan names (its session), before accepting (an accepted plan is a 409 `conflict`). Declining again answers the plan as it is.",
    request: { params: idParam("afp") },
    responses: { 200: one("The plan"), ...problemResponses(400, 401, 404, 409) },
  });

function viewerOf(c: Context): PlanViewer {
  const { actor } = principalOf(c);
  if (actor.type === "creator") return { creatorId: actor.creatorId };
  if (actor.type === "merchant") return { merchantId: requireMerchant(c, "affiliates:read").merchantId };
  throw new ProblemError("unauthorized", "Affiliate plans need a merchant's secret key or a creator's access token.");
}

export const affiliatePlanRoutes = createRouter<{ Bindings: Env }>();

affiliatePlanRoutes.post("/", merchantScope("affiliates:write"), idempotency({ required: false }));
affiliatePlanRoutes.openapi(createPlanRoute, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  const plan = await createPlan(database(c.env), merchantId, c.req.valid("json"), new Date());
  c.header("location", `/v1/affiliate-plans/${plan.id}`);
  return c.json(plan, 201);
});

affiliatePlanRoutes.openapi(listPlansRoute, async (c) => {
  const query = c.req.valid("query");
  const rows = await listPlans(database(c.env), viewerOf(c), {
    status: query.status,
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  c.header("cache-control", "private, no-store");
  return c.json(page(rows, query.limit), 200);
});

affiliatePlanRoutes.openapi(getPlanRoute, async (c) => {
  const plan = await readPlan(database(c.env), c.req.valid("param").id, viewerOf(c));
  c.header("cache-control", "private, no-store");
  return c.json(plan, 200);
});

affiliatePlanRoutes.patch("/:id", merchantScope("affiliates:write"), idempotency({ required: false }));
affiliatePlanRoutes.openapi(updatePlanRoute, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  const { id } = c.req.valid("param");
  return c.json(await updatePlan(database(c.env), merchantId, id, c.req.valid("json"), new Date()), 200);
});

affiliatePlanRoutes.post("/:id/end", merchantScope("affiliates:write"));
affiliatePlanRoutes.openapi(endPlanRoute, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  return c.json(await endPlan(database(c.env), merchantId, c.req.valid("param").id, new Date()), 200);
});

affiliatePlanRoutes.openapi(answerRoute("accept"), async (c) => {
  const creatorId = requireCreator(c, "Answering a plan");
  const answered = await answerPlan(database(c.env), creatorId, c.req.valid("param").id, "accepted", new Date());
  return c.json(answered.plan, 200);
});

affiliatePlanRoutes.openapi(answerRoute("decline"), async (c) => {
  const creatorId = requireCreator(c, "Answering a plan");
  const answered = await answerPlan(database(c.env), creatorId, c.req.valid("param").id, "declined", new Date());
  return c.json(answered.plan, 200);
});
