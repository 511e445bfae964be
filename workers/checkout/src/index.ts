// The checkout Worker: flash sales and their FlashSaleStock objects, carts, checkout, orders (each with an
// OrderTimeout object for its payment deadline), payments and the sandbox provider's webhooks, and merchant webhook
// endpoints with their WebhookDispatcher objects; returns and the creator-commission ledger.
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { analyticsRoutes } from "./routes/analytics.ts";
import { campaignRoutes } from "./routes/campaigns.ts";
import { cartRoutes } from "./routes/carts.ts";
import { commissionRoutes } from "./routes/commissions.ts";
import { couponRoutes } from "./routes/coupons.ts";
import { flashSaleRoutes } from "./routes/flash-sales.ts";
import { orderRoutes } from "./routes/orders.ts";
import { paymentRoutes } from "./routes/payments.ts";
import { presaleRoutes } from "./routes/presales.ts";
import { cartCouponRoutes, promotionRoutes } from "./routes/promotions.ts";
import { orderReturnRoutes, returnRoutes } from "./routes/returns.ts";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints.ts";

export { FlashSaleStock } from "./flash-sale-stock.ts";
export { OrderTimeout } from "./order-timeout.ts";
export { RefundRecovery } from "./refund-recovery.ts";
export { WebhookDispatcher } from "./webhooks/dispatcher.ts";

export const app = createApp<{ Bindings: Env }>("checkout");
app.route("/v1/flash-sales", flashSaleRoutes);
app.route("/v1/presales", presaleRoutes);
app.route("/v1/carts", cartRoutes);
app.route("/v1/carts", cartCouponRoutes);
app.route("/v1/coupons", couponRoutes);
app.route("/v1/promotions", promotionRoutes);
app.route("/v1/campaigns", campaignRoutes);
app.route("/v1/orders", orderRoutes);
app.route("/v1/orders", orderReturnRoutes);
app.route("/v1/returns", returnRoutes);
app.route("/v1/commissions", commissionRoutes);
app.route("/v1/analytics", analyticsRoutes);
app.route("/v1/webhook-endpoints", webhookEndpointRoutes);
app.route("/v1", paymentRoutes);

export default class CheckoutWorker extends serviceEntrypoint(app) {}
