// The catalog Worker: merchants' products, SKUs and inventory; notes, likes, saves, comments, follows and the feed.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { feedRoutes } from "./routes/feed.ts";
import { followsRoutes } from "./routes/follows.ts";
import { noteViewRoutes } from "./routes/note-views.ts";
import { notesRoutes } from "./routes/notes.ts";
import { productRoutes } from "./routes/products.ts";
import { skuRoutes } from "./routes/skus.ts";

export const app = createApp<{ Bindings: Env }>("catalog");
app.route("/v1/products", productRoutes);
app.route("/v1/skus", skuRoutes);
// Before the notes routes, whose writes need a person: a guest may send a view.
app.route("/v1/notes", noteViewRoutes);
app.route("/v1/notes", notesRoutes);
app.route("/v1/feed", feedRoutes);
app.route("/v1/follows", followsRoutes);

export default class CatalogWorker extends serviceEntrypoint(app) {}
