// The checkout Worker: flash sales, pre-sales, carts and checkout, orders with their refunds and returns, payments
// and their providers' webhooks, promotions (coupons, spend-and-save, campaigns), affiliate plans, samples,
// paid collaborations, the creator-commission ledger, analytics, and merchant webhook endpoints. One folder per resource, each with its router (routes.ts).
import { database } from "#shared/db.ts";
import { serviceEntrypoint } from "#shared/entrypoint.ts";
import { createApp } from "#shared/http.ts";
import { affiliatePlanRoutes } from "./affiliate-plans/routes.ts";
import { analyticsRoutes } from "./analytics/routes.ts";
import { campaignRoutes } from "./campaigns/routes.ts";
import { cartRoutes } from "./carts/routes.ts";
import { approveOverdueSubmissions } from "./collaboration-applications/application.ts";
import { collaborationApplicationRoutes } from "./collaboration-applications/routes.ts";
import { collaborationRoutes } from "./collaborations/routes.ts";
import { commissionRoutes } from "./commissions/routes.ts";
import { couponRoutes } from "./coupons/routes.ts";
import { earningsRoutes } from "./earnings/routes.ts";
import { flashSaleRoutes } from "./flash-sales/routes.ts";
import { orderRoutes } from "./orders/routes.ts";
import { paymentRoutes } from "./payments/routes.ts";
import { providerWebhookRoutes } from "./payments/webhook-routes.ts";
import { presaleRoutes } from "./presales/routes.ts";
import { promotionRoutes } from "./promotions/routes.ts";
import { returnRoutes } from "./returns/routes.ts";
import { sampleRequestRoutes } from "./sample-requests/routes.ts";
import { webhookEndpointRoutes } from "./webhooks/routes.ts";
import { sweepWebhooks } from "./webhooks/sweep.ts";

// Durable Objects: one FlashSaleStock per flash sale, one OrderDeadlines per order, one RefundRecovery per refund,
// one WebhookDispatcher per merchant webhook endpoint.
export { FlashSaleStock } from "./flash-sales/flash-sale-stock.ts";
export { OrderDeadlines } from "./orders/order-deadlines.ts";
export { RefundRecovery } from "./refunds/refund-recovery.ts";
export { WebhookDispatcher } from "./webhooks/dispatcher.ts";

export const app = createApp<{ Bindings: Env }>("checkout");
app.route("/v1/flash-sales", flashSaleRoutes);
app.route("/v1/presales", presaleRoutes);
app.route("/v1/carts", cartRoutes);
app.route("/v1/coupons", couponRoutes);
app.route("/v1/promotions", promotionRoutes);
app.route("/v1/campaigns", campaignRoutes);
app.route("/v1/orders", orderRoutes);
app.route("/v1/returns", returnRoutes);
app.route("/v1/commissions", commissionRoutes);
app.route("/v1/affiliate-plans", affiliatePlanRoutes);
// The one /v1/creators path a creator's ledger answers; the gateway serves the rest of /v1/creators itself.
app.route("/v1/creators/me/earnings", earningsRoutes);
app.route("/v1/sample-requests", sampleRequestRoutes);
app.route("/v1/collaborations", collaborationRoutes);
app.route("/v1/collaboration-applications", collaborationApplicationRoutes);
app.route("/v1/analytics", analyticsRoutes);
app.route("/v1/webhook-endpoints", webhookEndpointRoutes);
app.route("/v1/payments", paymentRoutes);
// Payment providers' webhooks: merchants' own webhook endpoints are /v1/webhook-endpoints above.
app.route("/v1/webhooks", providerWebhookRoutes);

export default class CheckoutWorker extends serviceEntrypoint(app) {
  // The cron trigger ([triggers] in wrangler.toml), once a minute: the webhook sweep, then collaboration notes
  // their merchant left unanswered for 7 days are approved.
  override async scheduled(): Promise<void> {
    await sweepWebhooks(this.env);
    await approveOverdueSubmissions(database(this.env));
  }
}
