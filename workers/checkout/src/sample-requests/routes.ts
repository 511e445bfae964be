// Sample requests: a creator asks (its session); the merchant (`affiliates:read` to read, `affiliates:write` to
// decide and ship) sees its own and moves them on; the creator confirms receipt. Another merchant's or creator's
// request is a 404.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { resourceRoutes } from "#shared/openapi/routes.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { checkFirst, merchantOrCreator, merchantScope, requireCreator, requireMerchant } from "#shared/principal.ts";
import {
  ApproveSchema,
  advanceSample,
  DeclineSchema,
  listSamples,
  readSample,
  requestSample,
  SampleRequestCreateSchema,
  SampleRequestSchema,
  type SampleViewer,
  ShipSchema,
} from "./sample.ts";

// Who may read sample requests: the merchant (`affiliates:read`) or a creator.
const reader = checkFirst((c) => viewerOf(c, false));

const { create, list, retrieve, actions } = resourceRoutes("smp", SampleRequestSchema, "The request", {
  create: {
    summary: "Ask a merchant for a sample",
    input: SampleRequestCreateSchema,
    problems: [400, 401, 404, 409, 422],
    description:
      "A creator (its session): a SKU of a product under an affiliate plan open to it (else 409 `conflict`), where to send it, and a pitch. The merchant is told by `sample_request.created`. Optional Idempotency-Key.",
  },
  list: {
    summary: "List sample requests, newest first",
    description:
      "A merchant (`affiliates:read`): the requests to it; a creator: its own. `overdue=true`: shipped, past `noteDueAt`, with no fulfilling note.",
    query: pageQuery
      .extend({
        status: z.enum(["requested", "approved", "declined", "shipped", "received"]).optional(),
        overdue: z.enum(["true", "false"]).optional(),
      })
      .strict(),
    page: "A page of requests",
    name: "SampleRequestList",
    caller: reader,
  },
  retrieve: {
    caller: reader,
    summary: "Retrieve a sample request",
    description: "Its merchant (`affiliates:read`) or its creator.",
  },
  actions: {
    approve: {
      caller: merchantScope("affiliates:write"),
      summary: "Approve a sample request",
      description:
        "Its merchant (`affiliates:write`), with the days after shipping by which the note is due (default 14). Again: the request as it is; declined: 409 `conflict`.",
      body: ApproveSchema,
    },
    decline: {
      caller: merchantScope("affiliates:write"),
      summary: "Decline a sample request",
      description: "Its merchant (`affiliates:write`), with a reason, before approving. Again: the request as it is.",
      body: DeclineSchema,
    },
    ship: {
      caller: merchantScope("affiliates:write"),
      summary: "Ship an approved sample",
      description:
        "Its merchant (`affiliates:write`), with the carrier and tracking number: one unit leaves the SKU through the inventory ledger (reason `sample`; 409 `sold_out` when none is left), `noteDueAt` is set, and the creator is notified. Again: the request as it is.",
      body: ShipSchema,
    },
    receipt: {
      caller: checkFirst(requireCreator),
      summary: "Confirm a sample arrived",
      description: "Its creator (its session), once shipped. Again: the request as it is.",
    },
  },
});

function viewerOf(c: Context, write: boolean): SampleViewer {
  return merchantOrCreator(c, write ? "affiliates:write" : "affiliates:read");
}

/** The request moved on one step: the merchant's steps need `affiliates:write`, the receipt its creator. */
function advance(c: Context, step: Parameters<typeof advanceSample>[3], input: Parameters<typeof advanceSample>[4]) {
  const viewer =
    step === "receipt"
      ? { creatorId: requireCreator(c) }
      : { merchantId: requireMerchant(c, "affiliates:write").merchantId };
  return advanceSample(database(c.env), viewer, c.req.param("id") ?? "", step, input, new Date());
}

export const sampleRequestRoutes = createRouter<{ Bindings: Env }>();

sampleRequestRoutes.post("/", checkFirst(requireCreator), idempotency({ required: false }));
sampleRequestRoutes.openapi(create, async (c) => {
  const sample = await requestSample(database(c.env), requireCreator(c), c.req.valid("json"), new Date());
  c.header("location", `/v1/sample-requests/${sample.id}`);
  return c.json(sample, 201);
});

sampleRequestRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const rows = await listSamples(database(c.env), viewerOf(c, false), {
    status: query.status,
    overdue: query.overdue === undefined ? undefined : query.overdue === "true",
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  c.header("cache-control", "private, no-store");
  return c.json(page(rows, query.limit), 200);
});

sampleRequestRoutes.openapi(retrieve, async (c) => {
  c.header("cache-control", "private, no-store");
  return c.json(await readSample(database(c.env), c.req.valid("param").id, viewerOf(c, false)), 200);
});

sampleRequestRoutes.openapi(actions.approve, async (c) =>
  c.json(await advance(c, "approve", c.req.valid("json")), 200),
);
sampleRequestRoutes.openapi(actions.decline, async (c) =>
  c.json(await advance(c, "decline", c.req.valid("json")), 200),
);
sampleRequestRoutes.openapi(actions.ship, async (c) => c.json(await advance(c, "ship", c.req.valid("json")), 200));
sampleRequestRoutes.openapi(actions.receipt, async (c) => c.json(await advance(c, "receipt", {}), 200));
