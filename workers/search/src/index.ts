// The search Worker: products, notes and live sessions over libSQL FTS5 (the index is kept by triggers, see
// migrations/*_search_index.sql), suggestions, operator synonyms and ranking weights, and query analytics.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { adminRoutes } from "./routes/admin.ts";
import { searchRoutes } from "./routes/search.ts";

export const app = createApp<{ Bindings: Env }>("search");
app.route("/v1/search", adminRoutes);
app.route("/v1/search", searchRoutes);

export default class SearchWorker extends serviceEntrypoint(app) {}
