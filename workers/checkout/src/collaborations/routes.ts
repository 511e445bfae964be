// Paid collaborations (briefs): a merchant (`affiliates:write` to post, `affiliates:read` to read) posts and reads its
// own; a creator (its session) browses the open ones ranked for it, and applies. Another merchant's brief is a 404.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { childRoutes, resourceRoutes } from "#shared/openapi/routes.ts";
import { decodeCursor, decodeJsonCursor, encodeCursor, encodeJsonCursor, pageQuery } from "#shared/pagination.ts";
import {
  checkFirst,
  livemodeOf,
  merchantOrCreator,
  merchantScope,
  requireCreator,
  requireMerchant,
} from "#shared/principal.ts";
import {
  ApplicationCreateSchema,
  ApplicationSchema,
  apply,
  listApplications,
} from "../collaboration-applications/application.ts";
import {
  CollaborationCreateSchema,
  CollaborationSchema,
  createCollaboration,
  listCollaborations,
  readCollaboration,
  type Viewer,
} from "./collaboration.ts";

// Who may read briefs and their applications: the merchant (`affiliates:read`) or a creator.
export const collaborationReader = checkFirst((c) => viewerOf(c, false));

const { create, list, retrieve } = resourceRoutes("clb", CollaborationSchema, "The brief", {
  create: {
    summary: "Post a paid collaboration brief",
    input: CollaborationCreateSchema,
    problems: [400, 401, 403, 409, 422],
    description:
      "A merchant (`affiliates:write`): a title, the brief, its products (the merchant's own, else 400 at their index), the fee per note, how many creators (`slots`), the deadline for applying, and optionally tags and a minimum follower count. Its budget is slots × fee. Optional Idempotency-Key.",
  },
  list: {
    summary: "List collaboration briefs",
    description:
      "A merchant (`affiliates:read`): its own briefs, newest first. A creator (its session): the open briefs (deadline ahead), those whose tags and products' categories most match the topics of the creator's own published notes first (`match`), then newest.",
    query: pageQuery.strict(),
    page: "A page of briefs",
    name: "CollaborationList",
    caller: collaborationReader,
  },
  retrieve: {
    caller: collaborationReader,
    summary: "Retrieve a collaboration brief",
    description:
      "Its merchant (`affiliates:read`), with its reserved, payable, released and available amounts, or any creator.",
  },
});

const applications = childRoutes("clb", "applications", ApplicationSchema, "The application", {
  create: {
    summary: "Apply to a collaboration brief",
    input: ApplicationCreateSchema,
    problems: [400, 401, 404, 409, 422],
    description:
      "A creator (its session), once per brief, with a pitch: while the brief is open and the creator has at least its `minFollowers` (else 409 `conflict`). The merchant is told by `collaboration.application.created`. Optional Idempotency-Key.",
  },
  list: {
    summary: "List a brief's applications, newest first",
    description: "Its merchant (`affiliates:read`): every application; a creator: its own.",
    query: pageQuery
      .extend({
        status: z
          .enum(["applied", "accepted", "declined", "submitted", "changes_requested", "approved", "cancelled"])
          .optional(),
      })
      .strict(),
    page: "A page of applications",
    name: "CollaborationApplicationList",
    caller: collaborationReader,
  },
});

/** A merchant (with `scope`) or a creator, in the caller's mode. */
export function viewerOf(c: Context, write: boolean): Viewer {
  return { ...merchantOrCreator(c, write ? "affiliates:write" : "affiliates:read"), livemode: livemodeOf(c) };
}

export const collaborationRoutes = createRouter<{ Bindings: Env }>();

collaborationRoutes.post("/", merchantScope("affiliates:write"), idempotency({ required: false }));
collaborationRoutes.openapi(create, async (c) => {
  const { merchantId } = requireMerchant(c, "affiliates:write");
  const brief = await createCollaboration(database(c.env), merchantId, livemodeOf(c), c.req.valid("json"), new Date());
  c.header("location", `/v1/collaborations/${brief.id}`);
  return c.json(brief, 201);
});

collaborationRoutes.openapi(list, async (c) => {
  const query = c.req.valid("query");
  const viewer = viewerOf(c, false);
  const after =
    query.cursor === undefined
      ? undefined
      : decodeJsonCursor(query.cursor, (json) =>
          typeof json.after === "string" && typeof json.match === "number"
            ? { id: json.after, match: json.match }
            : undefined,
        );
  const rows = await listCollaborations(database(c.env), viewer, after, query.limit + 1);
  const data = rows.slice(0, query.limit);
  const last = data.at(-1);
  c.header("cache-control", "private, no-store");
  return c.json(
    {
      data,
      nextCursor:
        rows.length > query.limit && last ? encodeJsonCursor({ after: last.id, match: last.match ?? 0 }) : null,
    },
    200,
  );
});

collaborationRoutes.openapi(retrieve, async (c) => {
  c.header("cache-control", "private, no-store");
  return c.json(await readCollaboration(database(c.env), c.req.valid("param").id, viewerOf(c, false)), 200);
});

collaborationRoutes.post("/:id/applications", checkFirst(requireCreator), idempotency({ required: false }));
collaborationRoutes.openapi(applications.create, async (c) => {
  const application = await apply(
    database(c.env),
    c.req.valid("param").id,
    requireCreator(c),
    livemodeOf(c),
    c.req.valid("json").pitch,
    new Date(),
  );
  c.header("location", `/v1/collaboration-applications/${application.id}`);
  return c.json(application, 201);
});

collaborationRoutes.openapi(applications.list, async (c) => {
  const query = c.req.valid("query");
  const rows = await listApplications(database(c.env), c.req.valid("param").id, viewerOf(c, false), {
    status: query.status,
    after: decodeCursor(query.cursor),
    limit: query.limit + 1,
  });
  c.header("cache-control", "private, no-store");
  const data = rows.slice(0, query.limit);
  const last = data.at(-1);
  return c.json({ data, nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null }, 200);
});
