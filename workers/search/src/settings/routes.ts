// The ranking weights in force (settings/ranking.ts): the operator reads and replaces them (anyone else is refused
// before any input is read); never cached.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { jsonBody, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { checkFirst, requireOperator } from "#shared/principal.ts";
import { defaultRanking, loadRanking, RANKING_SETTING, RankingSchema, rankingFrom } from "./ranking.ts";

const SettingsSchema = z
  .object({ object: z.literal("search_settings"), ranking: RankingSchema, defaults: RankingSchema })
  .openapi("SearchSettings");

const getSettingsRoute = route("GET /", "The ranking weights in force (operator)", {
  responses: ok(SettingsSchema, "Weights in force and their defaults", 401),
});

const putSettingsRoute = route("PUT /", "Set the ranking weights (operator)", {
  description: "Replaces the operator's weights; any weight left out takes its default.",
  request: { body: jsonBody(z.object({ ranking: RankingSchema.partial() }).strict()) },
  responses: ok(SettingsSchema, "Weights in force", 400, 401),
});

export const settingsRoutes = createRouter<{ Bindings: Env }>();
settingsRoutes.use(privateCache, checkFirst(requireOperator));

settingsRoutes.openapi(getSettingsRoute, async (c) => {
  return c.json(
    { object: "search_settings" as const, ranking: await loadRanking(database(c.env)), defaults: defaultRanking },
    200,
  );
});

settingsRoutes.openapi(putSettingsRoute, async (c) => {
  const { ranking } = c.req.valid("json");
  await database(c.env).$client.execute({
    sql: `INSERT INTO search_settings (name, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
          ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    args: [RANKING_SETTING, JSON.stringify(ranking)],
  });
  return c.json({ object: "search_settings" as const, ranking: rankingFrom(ranking), defaults: defaultRanking }, 200);
});
