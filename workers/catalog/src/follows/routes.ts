// Follows: a signed-in shopper or creator follows creators and merchants. PUT and DELETE are idempotent and answer
// with the exact follower count; GET lists mine, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { followSignalStatement } from "#shared/interests.ts";
import { learn } from "#shared/learn.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { pageOf } from "#shared/openapi/schemas.ts";
import { pageQuery } from "#shared/pagination.ts";
import { personId, requirePerson } from "#shared/principal.ts";
import { personOnly } from "../notes/note.ts";
import { FollowSchema, FollowStateSchema, listFollows, setFollow } from "./follow.ts";

const followeeParam = z.object({
  followeeId: z
    .string()
    .regex(/^(cre|mer)_[0-9A-Za-z]{1,64}$/, "must be a creator (cre_…) or merchant (mer_…) id")
    .openapi({ param: { name: "followeeId", in: "path" }, example: "cre_01JZ0000000000000000000001" }),
});

function followRoute(method: "put" | "delete") {
  return createRoute({
    method,
    path: "/{followeeId}",
    summary: method === "put" ? "Follow a creator or merchant" : "Unfollow a creator or merchant",
    description: "A shopper or creator; idempotent. Returns the state and the exact follower count.",
    request: { params: followeeParam },
    responses: ok(FollowStateSchema, "Your state", 400, 401, 404),
  });
}

const listFollowsRoute = route("GET /", "Whom I follow, newest first", {
  request: { query: pageQuery.strict() },
  responses: ok(pageOf(FollowSchema), "A page of follows", 400, 401),
});

export const followsRoutes = createRouter<{ Bindings: Env }>();

followsRoutes.use(personOnly);
followsRoutes.use(privateCache);

for (const method of ["put", "delete"] as const) {
  followsRoutes.openapi(followRoute(method), async (c) => {
    const followerId = personId(requirePerson(c));
    const { followeeId } = c.req.valid("param");
    const state = await setFollow({ db: database(c.env), followerId, followeeId, following: method === "put" });
    if (method === "put") learn(c.env, [followSignalStatement(followerId, followeeId, new Date())]);
    return c.json(state, 200);
  });
}

followsRoutes.openapi(listFollowsRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  return c.json(await listFollows({ db: database(c.env), followerId: personId(requirePerson(c)), limit, cursor }), 200);
});
