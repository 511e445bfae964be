// Operator-blocked suggestion terms: a query suggestion or title containing a blocked term is never offered
// (search/suggest.ts reads them). The operator's alone, refused before any input is read; never cached.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { noContent, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { wholeListOf } from "#shared/openapi/schemas.ts";
import { checkFirst, requireOperator } from "#shared/principal.ts";
import { normaliseQuery } from "../search/query.ts";

const MAX_TERM_CHARACTERS = 100;

const SuggestionBlockSchema = z
  .object({
    object: z.literal("suggestion_block"),
    term: z.string().openapi({ description: "Normalised: NFKC, lower case, single spaces." }),
    createdAt: z.string(),
  })
  .openapi("SuggestionBlock");

const termParam = z.object({
  term: z
    .string()
    .refine((t) => normaliseQuery(t).length > 0, "a term with something other than spaces")
    .refine((t) => [...t].length <= MAX_TERM_CHARACTERS, `at most ${MAX_TERM_CHARACTERS} characters`)
    .openapi({ param: { name: "term", in: "path" }, example: "代购" }),
});

const listBlocksRoute = route("GET /", "List blocked suggestion terms (operator)", {
  responses: ok(wholeListOf(SuggestionBlockSchema), "Every term, A to Z", 401),
});

const putBlockRoute = route("PUT /{term}", "Block a suggestion term (operator)", {
  description:
    "No query suggestion or title containing the term (normalised) is offered by `GET /v1/search/suggest` from now on. Idempotent.",
  request: { params: termParam },
  responses: ok(SuggestionBlockSchema, "The blocked term", 400, 401),
});

const deleteBlockRoute = route("DELETE /{term}", "Unblock a suggestion term (operator)", {
  request: { params: termParam },
  responses: noContent("Unblocked", 400, 401, 404),
});

export const suggestionBlockRoutes = createRouter<{ Bindings: Env }>();
suggestionBlockRoutes.use(privateCache, checkFirst(requireOperator));

suggestionBlockRoutes.openapi(listBlocksRoute, async (c) => {
  const { rows } = await database(c.env).$client.execute(
    "SELECT term, created_at FROM search_suggestion_blocks ORDER BY term",
  );
  const data = rows.map((row) => ({
    object: "suggestion_block" as const,
    term: String(row.term),
    createdAt: String(row.created_at),
  }));
  return c.json({ data, nextCursor: null }, 200);
});

suggestionBlockRoutes.openapi(putBlockRoute, async (c) => {
  const term = normaliseQuery(c.req.valid("param").term);
  // Inserted or kept as it is, then read back: blocking again keeps the time it was first blocked.
  const [, read] = await database(c.env).$client.batch(
    [
      { sql: "INSERT INTO search_suggestion_blocks (term) VALUES (?) ON CONFLICT DO NOTHING", args: [term] },
      { sql: "SELECT created_at FROM search_suggestion_blocks WHERE term = ?", args: [term] },
    ],
    "write",
  );
  const createdAt = String(read?.rows[0]?.created_at);
  return c.json({ object: "suggestion_block" as const, term, createdAt }, 200);
});

suggestionBlockRoutes.openapi(deleteBlockRoute, async (c) => {
  const term = normaliseQuery(c.req.valid("param").term);
  const result = await database(c.env).$client.execute({
    sql: "DELETE FROM search_suggestion_blocks WHERE term = ?",
    args: [term],
  });
  if (result.rowsAffected === 0) throw new ProblemError("not_found", `The term ${term} is not blocked.`);
  return c.body(null, 204);
});
