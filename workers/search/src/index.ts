// The search Worker: products, notes and live sessions over libSQL FTS5 (the index is kept by triggers, see
// migrations/*_search_index.sql), suggestions, operator synonyms, ranking weights and blocked suggestion terms,
// query analytics, and the creators' selection centre.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { analyticsRoutes } from "./analytics/routes.ts";
import { reindexRoutes } from "./reindex/routes.ts";
import { searchRoutes } from "./search/routes.ts";
import { selectionRoutes } from "./selection/routes.ts";
import { settingsRoutes } from "./settings/routes.ts";
import { suggestionBlockRoutes } from "./suggestion-blocks/routes.ts";
import { synonymRoutes } from "./synonyms/routes.ts";

export const app = createApp<{ Bindings: Env }>("search");
app.route("/v1/search/synonyms", synonymRoutes);
app.route("/v1/search/settings", settingsRoutes);
app.route("/v1/search/suggestion-blocks", suggestionBlockRoutes);
app.route("/v1/search/reindex", reindexRoutes);
app.route("/v1/search/analytics", analyticsRoutes);
app.route("/v1/search", searchRoutes);
// What a creator may promote, found with the same index (selection/routes.ts).
app.route("/v1/selection", selectionRoutes);

export default class SearchWorker extends serviceEntrypoint(app) {}
