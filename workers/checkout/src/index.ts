// The checkout Worker: flash sales and their FlashSaleStock Durable Objects (carts, orders and payments come with the checkout issue).
import { serviceEntrypoint } from "../../../shared/entrypoint.ts";
import { createApp } from "../../../shared/http.ts";
import { flashSaleRoutes } from "./routes/flash-sales.ts";

export { FlashSaleStock } from "./flash-sale-stock.ts";

export const app = createApp<{ Bindings: Env }>("checkout");
app.route("/v1/flash-sales", flashSaleRoutes);

export default class CheckoutWorker extends serviceEntrypoint(app) {}
