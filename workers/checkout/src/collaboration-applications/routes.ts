// A collaboration application's steps: its merchant (`affiliates:write`) accepts (reserving the fee), declines,
// approves the submitted note (the fee becomes payable) or asks for changes; its creator submits a published note of
// its own; either cancels (an accepted one's reservation is released). Another merchant's or creator's is a 404.
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { createRouter, purge } from "#shared/http.ts";
import { resourceRoutes } from "#shared/openapi/routes.ts";
import { checkFirst, livemodeOf, merchantScope, requireCreator, requireMerchant } from "#shared/principal.ts";
import type { Viewer } from "../collaborations/collaboration.ts";
import { collaborationReader, viewerOf } from "../collaborations/routes.ts";
import {
  ApplicationSchema,
  AUTO_APPROVE_DAYS,
  advance,
  ChangesSchema,
  readApplication,
  type Step,
  SubmissionSchema,
} from "./application.ts";

const { retrieve, actions } = resourceRoutes("cap", ApplicationSchema, "The application", {
  retrieve: {
    caller: collaborationReader,
    summary: "Retrieve a collaboration application",
    description: "Its merchant (`affiliates:read`) or its creator.",
  },
  actions: {
    accept: {
      caller: merchantScope("affiliates:write"),
      summary: "Accept a collaboration application",
      description:
        "Its merchant (`affiliates:write`): the fee is reserved against the brief (a `reserved` ledger row) if the brief's reserved and payable amounts stay within slots × fee, else 409 `limit_exceeded`; the creator is notified (`collaboration_accepted`). Again: the application as it is.",
    },
    decline: {
      caller: merchantScope("affiliates:write"),
      summary: "Decline a collaboration application",
      description: "Its merchant (`affiliates:write`), before accepting. Again: the application as it is.",
    },
    submission: {
      caller: checkFirst(requireCreator),
      summary: "Submit the note for an accepted application",
      description: `Its creator (its session), once accepted or asked for changes: a published note of its own (else 404 at /noteId). From then on the note carries the \`paidPartnership\` label wherever it is shown. The merchant is told by \`collaboration.submission.created\`. Unanswered for ${AUTO_APPROVE_DAYS} days, it is approved.`,
      body: SubmissionSchema,
    },
    approve: {
      caller: merchantScope("affiliates:write"),
      summary: "Approve a submitted note",
      description:
        "Its merchant (`affiliates:write`): the fee becomes payable to the creator (a `payable` ledger row) and the creator is notified (`collaboration_fee_payable`). Again: the application as it is.",
    },
    "request-changes": {
      caller: merchantScope("affiliates:write"),
      summary: "Ask for changes to a submitted note",
      description: "Its merchant (`affiliates:write`), with feedback; the creator submits again.",
      body: ChangesSchema,
    },
    cancel: {
      caller: checkFirst((c) => viewerOf(c, true)),
      summary: "Cancel a collaboration application",
      description:
        "Its creator or its merchant (`affiliates:write`), before a note is submitted: an accepted application's reservation is released back to the brief (a `released` ledger row). Again: the application as it is.",
    },
  },
});

const merchantOf = (c: Context): Viewer => ({
  merchantId: requireMerchant(c, "affiliates:write").merchantId,
  livemode: livemodeOf(c),
});

async function step(c: Context, viewer: Viewer, what: Step, input: { noteId?: string; feedback?: string } = {}) {
  return advance(database(c.env), viewer, c.req.param("id") ?? "", what, input, new Date());
}

export const collaborationApplicationRoutes = createRouter<{ Bindings: Env }>();

collaborationApplicationRoutes.openapi(retrieve, async (c) => {
  c.header("cache-control", "private, no-store");
  return c.json(await readApplication(database(c.env), c.req.valid("param").id, viewerOf(c, false)), 200);
});
collaborationApplicationRoutes.openapi(actions.accept, async (c) =>
  c.json(await step(c, merchantOf(c), "accept"), 200),
);
collaborationApplicationRoutes.openapi(actions.decline, async (c) =>
  c.json(await step(c, merchantOf(c), "decline"), 200),
);
collaborationApplicationRoutes.openapi(actions.submission, async (c) => {
  const viewer = { creatorId: requireCreator(c), livemode: livemodeOf(c) };
  const before = await readApplication(database(c.env), c.req.valid("param").id, viewer);
  const after = await step(c, viewer, "submit", { noteId: c.req.valid("json").noteId });
  // The note now shows the paid-partnership label (a note submitted before and replaced no longer does): cached
  // copies at the edge are dropped.
  purge(c, ...new Set([before.noteId, after.noteId].flatMap((id) => (id ? [`/v1/notes/${id}`] : []))));
  return c.json(after, 200);
});
collaborationApplicationRoutes.openapi(actions.approve, async (c) =>
  c.json(await step(c, merchantOf(c), "approve"), 200),
);
collaborationApplicationRoutes.openapi(actions["request-changes"], async (c) =>
  c.json(await step(c, merchantOf(c), "request_changes", { feedback: c.req.valid("json").feedback }), 200),
);
collaborationApplicationRoutes.openapi(actions.cancel, async (c) =>
  c.json(await step(c, viewerOf(c, true), "cancel"), 200),
);
