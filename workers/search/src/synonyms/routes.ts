// Operator synonym sets: a query for any term of a set also finds what the others find (search/search.ts reads
// them). The operator's alone, refused before any input is read; never cached.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { jsonBody, noContent, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { requiredText, setOf, wholeListOf } from "#shared/openapi/schemas.ts";
import { checkFirst, requireOperator } from "#shared/principal.ts";
import { normaliseQuery } from "../search/query.ts";

const SynonymSetSchema = z
  .object({
    object: z.literal("synonym_set"),
    name: z.string(),
    terms: z.array(z.string()).openapi({ description: "Normalised: NFKC, lower case, single spaces." }),
  })
  .openapi("SynonymSet");

const nameParam = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, - and _, at most 64")
    .openapi({ param: { name: "name", in: "path" }, example: "xiaoheiping" }),
});

const SynonymInputSchema = z
  .object({
    terms: setOf(requiredText(100))
      .min(2)
      .max(20)
      .openapi({ example: ["小黑瓶", "Advanced Génifique"] }),
  })
  .strict()
  .openapi("SynonymSetInput");

const listSynonymsRoute = route("GET /", "List synonym sets (operator)", {
  responses: ok(wholeListOf(SynonymSetSchema), "Every set, by name", 401),
});

const putSynonymsRoute = route("PUT /{name}", "Create or replace a synonym set (operator)", {
  description: "A query for any term of the set also finds what the others find. Idempotent.",
  request: { params: nameParam, body: jsonBody(SynonymInputSchema) },
  responses: ok(SynonymSetSchema, "The set", 400, 401),
});

const deleteSynonymsRoute = route("DELETE /{name}", "Delete a synonym set (operator)", {
  request: { params: nameParam },
  responses: noContent("Deleted", 400, 401, 404),
});

export const synonymRoutes = createRouter<{ Bindings: Env }>();
synonymRoutes.use(privateCache, checkFirst(requireOperator));

synonymRoutes.openapi(listSynonymsRoute, async (c) => {
  const { rows } = await database(c.env).$client.execute(
    "SELECT set_name, json_group_array(term ORDER BY term) AS terms FROM search_synonyms GROUP BY set_name ORDER BY set_name",
  );
  const data = rows.map((row) => ({
    object: "synonym_set" as const,
    name: String(row.set_name),
    terms: JSON.parse(String(row.terms)) as string[],
  }));
  return c.json({ data, nextCursor: null }, 200);
});

synonymRoutes.openapi(putSynonymsRoute, async (c) => {
  const { name } = c.req.valid("param");
  const terms = [...new Set(c.req.valid("json").terms.map(normaliseQuery))].filter((t) => t.length > 0).sort();
  if (terms.length < 2) {
    throw new ProblemError("validation_failed", "A synonym set needs two different terms.", {
      errors: [{ path: "/terms", message: "at least two different terms (after normalisation)" }],
    });
  }
  await database(c.env).$client.batch(
    [
      { sql: "DELETE FROM search_synonyms WHERE set_name = ?", args: [name] },
      ...terms.map((term) => ({
        sql: "INSERT INTO search_synonyms (set_name, term) VALUES (?, ?)",
        args: [name, term],
      })),
    ],
    "write",
  );
  return c.json({ object: "synonym_set" as const, name, terms }, 200);
});

synonymRoutes.openapi(deleteSynonymsRoute, async (c) => {
  const { name } = c.req.valid("param");
  const result = await database(c.env).$client.execute({
    sql: "DELETE FROM search_synonyms WHERE set_name = ?",
    args: [name],
  });
  if (result.rowsAffected === 0) throw new ProblemError("not_found", `Synonym set ${name} does not exist.`);
  return c.body(null, 204);
});
