// The catalog Worker: merchants' products, SKUs and inventory; notes, likes, saves, comments, follows, the feed and
// the interest profiles it learns (/v1/me).
// One folder per resource: its router (routes.ts) and the writes and reads it calls.
import { database } from "#shared/db.ts";
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { forgetStale } from "./feed/forget.ts";
import { feedRoutes } from "./feed/routes.ts";
import { followsRoutes } from "./follows/routes.ts";
import { meRoutes } from "./me/routes.ts";
import { notesRoutes } from "./notes/routes.ts";
import { productRoutes } from "./products/routes.ts";
import { skuRoutes } from "./skus/routes.ts";

export const app = createApp<{ Bindings: Env }>("catalog");
app.route("/v1/products", productRoutes);
app.route("/v1/skus", skuRoutes);
app.route("/v1/notes", notesRoutes);
app.route("/v1/feed", feedRoutes);
app.route("/v1/follows", followsRoutes);
app.route("/v1/me", meRoutes);

export default class CatalogWorker extends serviceEntrypoint(app) {
  // The cron trigger ([triggers] in wrangler.toml), once a minute: what the feed no longer needs to remember.
  override async scheduled(): Promise<void> {
    await forgetStale(database(this.env));
  }
}
