// GET /{id}/replay: public, cacheable once the session has ended (a late recording URL purges it).
import { createRoute } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idParam, problemResponses } from "#shared/openapi.ts";
import { getReplay } from "../get-replay.ts";
import { ReplaySchema } from "../session.ts";

const replayRoute = createRoute({
  method: "get",
  path: "/{id}/replay",
  summary: "An ended session's recording and product timeline",
  request: { params: idParam("live") },
  responses: {
    200: { description: "The replay", content: { "application/json": { schema: ReplaySchema } } },
    ...problemResponses(400, 404, 409),
  },
});

export const replayRoutes = createRouter<{ Bindings: Env }>();

replayRoutes.openapi(replayRoute, async (c) => {
  const replay = await getReplay(database(c.env), c.req.valid("param").id);
  c.header("cache-control", "public, max-age=60");
  return c.json(replay, 200);
});
