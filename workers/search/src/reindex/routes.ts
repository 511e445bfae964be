// POST /v1/search/reindex: the operator fills the pinyin of documents indexed before the index had it, a batch a call.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent, problemResponses } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { checkFirst, requireOperator } from "#shared/principal.ts";
import { reindexPinyin } from "./reindex-pinyin.ts";

const reindexRoute = route("POST /", "Fill the pinyin of documents written before the index had it (operator)", {
  caller: checkFirst(requireOperator),
  description:
    "Each call computes the title pinyin of up to `limit` rows per kind still without it (re-indexing them); call again until `remaining` is 0.",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict() },
  responses: {
    200: jsonContent(
      z.object({ object: z.literal("search_reindex"), updated: z.number().int(), remaining: z.number().int() }),
      "Rows updated by this call, and rows still without pinyin",
    ),
    ...problemResponses(400, 401),
  },
});

export const reindexRoutes = createRouter<{ Bindings: Env }>();

reindexRoutes.openapi(reindexRoute, async (c) => {
  const { limit } = c.req.valid("query");
  return c.json({ object: "search_reindex" as const, ...(await reindexPinyin({ db: database(c.env), limit })) }, 200);
});
