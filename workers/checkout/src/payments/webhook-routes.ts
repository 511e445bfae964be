// Each payment provider's signed webhooks (/v1/webhooks/sandbox, /v1/webhooks/stripe), answered once verified and
// applied (receive-webhook.ts). Merchants' own webhook endpoints are another thing: webhooks/.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "#shared/http.ts";
import { ok } from "#shared/openapi/responses.ts";
import type { PaymentProviderName } from "../config.ts";
import { receiveWebhook } from "./receive-webhook.ts";

const webhookRoute = (provider: PaymentProviderName, summary: string, description: string, statuses: number[]) =>
  createRoute({
    method: "post",
    path: `/${provider}`,
    summary,
    description,
    responses: ok(z.object({ received: z.literal(true), duplicate: z.boolean() }), "Accepted", ...statuses),
  });

const sandboxWebhookRoute = webhookRoute(
  "sandbox",
  "Receive a sandbox payment webhook",
  "Signed `x-sandbox-signature: t=<unix>,v1=<hex HMAC-SHA256(SANDBOX_WEBHOOK_SECRET, t + '.' + body)>`, within 300 s; 401 `unauthorized` when the signature is missing, malformed, stale or does not match. Applied once per event id; a late event never overrides a newer state.",
  [400, 401, 409, 502],
);

const stripeWebhookRoute = webhookRoute(
  "stripe",
  "Receive a Stripe webhook",
  "Signed `Stripe-Signature` with STRIPE_WEBHOOK_SECRET, within 300 s. Applies `payment_intent.succeeded`, `payment_intent.payment_failed` and `payment_intent.processing` (the intent's state read back from Stripe), the Refund events `refund.created`, `refund.updated`, `refund.failed` and `charge.refund.updated`, and `charge.refunded` (the intent's refunds read back), once per event id; other types are acknowledged and ignored. 409 `payment_provider_disabled` when Stripe is not configured; 502 when Stripe cannot be asked (Stripe retries).",
  [400, 409, 502],
);

export const providerWebhookRoutes = createRouter<{ Bindings: Env }>();

for (const [route, name] of [
  [sandboxWebhookRoute, "sandbox"],
  [stripeWebhookRoute, "stripe"],
] as const) {
  providerWebhookRoutes.openapi(route, async (c) => {
    const result = await receiveWebhook(c.env, name, await c.req.text(), c.req.raw.headers);
    return c.json({ received: true as const, duplicate: result.duplicate }, 200);
  });
}
