// Affiliate plans: a merchant (`affiliates:write` to change, `affiliates:read` to read) offers a rate on its products;
// creators read the open plans and those naming them, and answer the ones naming them. Another merchant's plan, or a
// targeted plan not naming the creator, is a 404.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { ok } from "#shared/openapi/responses.ts";
import { actionRoutes, resourceRoutes } from "#shared/openapi/routes.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { checkFirst, merchantOrCreator, merchantScope, requireCreator, requireMerchant } from "#shared/principal.ts";
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

const { create, list, retrieve, update } = resourceRoutes("afp", AffiliatePlanSchema, "The plan", {
  create: {
    summary: "Create an affiliate plan",
    input: AffiliatePlanCreateSchema,
    problems: [400, 401, 403, 422],
    description:
      "A merchant (`affiliates:write`). `open`: any creator may promote the products; `targeted`: the named creators, each once it accepts. From `startsAt` (default now) until `endsAt` or until ended, a sale a creator brings of a product in the plan earns its rate: an accepted targeted plan first, then an open plan, then the shelf's, product's or merchant's rate (the highest rate within each). Products not the merchant's, or unknown creators, are 400 at their index. Optional Idempotency-Key.",
  },
  list: {
    summary: "List affiliate plans, newest first",
    description:
      "A merchant (`affiliates:read`): its own plans. A creator (its session): open plans and the targeted plans naming it (only its own answer shown).",
    query: pageQuery.extend({ status: z.enum(["scheduled", "running", "ended"]).optional() }).strict(),
    page: "A page of plans",
    name: "AffiliatePlanList",
    caller: checkFirst(viewerOf),
  },
  retrieve: {
    caller: checkFirst(viewerOf),
    summary: "Retrieve an affiliate plan",
    description: "Its merchant (`affiliates:read`), or a creator it is open to or names.",
  },
  update: {
    summary: "Change an affiliate plan's rate or end",
    input: AffiliatePlanUpdateSchema,
    problems: [400, 401, 403, 404, 409, 422],
    description:
      "Its merchant (`affiliates:write`). A new rate applies to sales checked out from now on; earlier sales keep the rate of their time. An ended plan is a 409 `conflict`. Optional Idempotency-Key.",
  },
});

const endPlanRoute = actionRoutes(
  "afp",
  ok(AffiliatePlanSchema, "The ended plan", 400, 401, 403, 404),
  merchantScope("affiliates:write"),
)(
  "end",
  "End an affiliate plan now",
  "Its merchant (`affiliates:write`). Sales checked out from now on are not credited under it; sales before keep their rate, and their refunds reverse at it. Ending an ended plan answers it as it is.",
);

const answer = actionRoutes(
  "afp",
  ok(AffiliatePlanSchema, "The plan", 400, 401, 404, 409),
  checkFirst((c) => requireCreator(c, "Answering a plan")),
);
const acceptRoute = answer(
  "accept",
  "Accept a targeted plan",
  "A creator the plan names (its session): sales it brings from now on earn the plan's rate. Accepting again answers the plan as it is; an ended plan is a 409 `conflict`. The merchant is told by `affiliate_plan.accepted`.",
);
const declineRoute = answer(
  "decline",
  "Decline a targeted plan",
  "A creator the plan names (its session), before accepting (an accepted plan is a 409 `conflict`). Declining again answers the plan as it is.",
);

/** Who reads plans: a merchant (`affiliates:read`) its own, a creator those open to it or naming it. */
function viewerOf(c: Context): PlanViewer {
  return merchantOrCreator(c, "affiliates:read");
}

export const affiliatePlanRoutes = createRouter<{ Bindings: Env }>();

affiliatePlanRoutes.post("/", merchantScope("affiliates:write"), idempotency({ required: false }));
affiliatePlanRoutes.openapi(create, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  const plan = await createPlan(database(c.env), merchantId, c.req.valid("json"), new Date());
  c.header("location", `/v1/affiliate-plans/${plan.id}`);
  return c.json(plan, 201);
});

affiliatePlanRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const rows = await listPlans(database(c.env), viewerOf(c), {
    status: query.status,
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  c.header("cache-control", "private, no-store");
  return c.json(page(rows, query.limit), 200);
});

affiliatePlanRoutes.openapi(retrieve, async (c) => {
  const plan = await readPlan(database(c.env), c.req.valid("param").id, viewerOf(c));
  c.header("cache-control", "private, no-store");
  return c.json(plan, 200);
});

affiliatePlanRoutes.patch("/:id", merchantScope("affiliates:write"), idempotency({ required: false }));
affiliatePlanRoutes.openapi(update, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  const { id } = c.req.valid("param");
  return c.json(await updatePlan(database(c.env), merchantId, id, c.req.valid("json"), new Date()), 200);
});

affiliatePlanRoutes.openapi(endPlanRoute, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  return c.json(await endPlan(database(c.env), merchantId, c.req.valid("param").id, new Date()), 200);
});

for (const [route, to] of [
  [acceptRoute, "accepted"],
  [declineRoute, "declined"],
] as const) {
  affiliatePlanRoutes.openapi(route, async (c) => {
    const creatorId = requireCreator(c, "Answering a plan");
    const answered = await answerPlan(database(c.env), creatorId, c.req.valid("param").id, to, new Date());
    return c.json(answered.plan, 200);
  });
}
