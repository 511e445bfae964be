// The catalog Worker: products and SKUs (and, with the catalog issue, merchants' writes, inventory and notes).
import { serviceEntrypoint } from "../../../shared/entrypoint.ts";
import { createApp } from "../../../shared/http.ts";
import { productRoutes } from "./routes/products.ts";

export const app = createApp<{ Bindings: Env }>("catalog");
app.route("/v1/products", productRoutes);

export default class CatalogWorker extends serviceEntrypoint(app) {}
