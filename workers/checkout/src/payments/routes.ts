// Payments (/v1/payments): their order's customer reads them and, with the sandbox provider, decides their outcome;
// the sandbox's signed event goes through the same path as a delivered webhook (receive-webhook.ts).
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency, resumedRun } from "#shared/idempotency.ts";
import { newId } from "#shared/ids.ts";
import { modeGuard } from "#shared/modes.ts";
import { jsonBody, ok } from "#shared/openapi/responses.ts";
import { retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idParam } from "#shared/openapi/schemas.ts";
import { checkFirst, customerOf, principalOf, requireMerchant, requireMerchantOr } from "#shared/principal.ts";
import { orders, payments } from "#shared/schema.ts";
import { sandboxSecret } from "../config.ts";
import { PaymentSchema, toPayment } from "../orders/order.ts";
import { receiveWebhook } from "./receive-webhook.ts";
import { SANDBOX_SIGNATURE_HEADER, type SandboxEvent, signSandbox } from "./sandbox.ts";

const SandboxInput = z
  .object({
    outcome: z.enum(["succeed", "fail", "pending"]),
    deliver: z.boolean().default(true).openapi({
      description: "false: only return the signed webhook, for you to deliver (tests of late and repeated deliveries).",
    }),
  })
  .strict()
  .openapi("SandboxOutcome");

const SandboxResult = z
  .object({
    object: z.literal("sandbox_outcome"),
    payment: PaymentSchema,
    delivered: z.boolean(),
    webhook: z.object({ signature: z.string(), body: z.string() }),
  })
  .openapi("SandboxResult");

const getRoute = retrieveRoute("pay", "Retrieve a payment", ok(PaymentSchema, "The payment", 400, 401, 403, 404), {
  description: "Its order's merchant (`orders:read`) or customer; anyone else gets 404.",
  caller: checkFirst((c) => requireMerchantOr(c, "orders:read", customerOf)),
});

const sandboxRoute = route("POST /{id}/sandbox", "Decide a sandbox payment's outcome", {
  description:
    "Its order's customer, with an Idempotency-Key; test mode only (a live payment is never a sandbox one). 409 `payment_provider_disabled` when SANDBOX_WEBHOOK_SECRET is not set. The sandbox provider issues a signed webhook event (`payment.succeeded`, `payment.failed` or `payment.processing`) and delivers it to /v1/webhooks/sandbox's handler unless `deliver` is false. 409 once the payment succeeded.",
  request: { params: idParam("pay"), body: jsonBody(SandboxInput) },
  responses: ok(SandboxResult, "The payment after the outcome", 400, 401, 404, 409, 422),
});

const types = { succeed: "payment.succeeded", fail: "payment.failed", pending: "payment.processing" } as const;

export const paymentRoutes = createRouter<{ Bindings: Env }>();

// A payment of the other mode (test or live) is as unknown as someone else's.
const sameMode = modeGuard("SELECT livemode FROM payments WHERE id = ?", "Payment");
paymentRoutes.use("/:id", sameMode);
paymentRoutes.use("/:id/*", sameMode);

async function paymentFor(c: Parameters<Parameters<typeof paymentRoutes.openapi>[1]>[0], id: string) {
  const db = database(c.env);
  const [row] = await db
    .select({ payment: payments, merchantId: orders.merchantId, ownerId: orders.ownerId })
    .from(payments)
    .innerJoin(orders, eq(orders.id, payments.orderId))
    .where(eq(payments.id, id));
  const { actor } = principalOf(c);
  const allowed =
    row !== undefined &&
    (actor.type === "merchant"
      ? requireMerchant(c, "orders:read").merchantId === row.merchantId
      : customerOf(c) === row.ownerId);
  if (!row || !allowed) throw new ProblemError("not_found", `Payment ${id} does not exist.`);
  return row.payment;
}

paymentRoutes.openapi(getRoute, async (c) => {
  const { id } = c.req.valid("param");
  c.header("cache-control", "private, no-store");
  return c.json(toPayment(await paymentFor(c, id)), 200);
});

paymentRoutes.post("/:id/sandbox", checkFirst(customerOf), idempotency({ required: true }));
paymentRoutes.openapi(sandboxRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { outcome, deliver } = c.req.valid("json");
  if (principalOf(c).actor.type === "merchant") throw new ProblemError("not_found", `Payment ${id} does not exist.`);
  const payment = await paymentFor(c, id);
  if (payment.provider !== "sandbox") throw new ProblemError("conflict", `Payment ${id} is not a sandbox payment.`);
  // A retry whose first run was cut off (a crash) after the success issues its event again, which changes nothing.
  if (payment.status === "succeeded" && !resumedRun(c)) {
    throw new ProblemError("conflict", `Payment ${id} has already succeeded.`);
  }
  const secret = sandboxSecret(c.env);
  if (!secret) {
    throw new ProblemError("payment_provider_disabled", "The sandbox is off here: SANDBOX_WEBHOOK_SECRET is not set.");
  }
  const db = database(c.env);
  // The sandbox provider's own record of a payment is the count of events it issued (its reference).
  const [issued] = await db
    .update(payments)
    .set({ providerReference: sql`CAST(coalesce(CAST(${payments.providerReference} AS INTEGER), 0) + 1 AS TEXT)` })
    .where(eq(payments.id, id))
    .returning({ sequence: payments.providerReference });
  const event: SandboxEvent = {
    id: newId("evt"),
    type: types[outcome],
    createdAt: new Date().toISOString(),
    data: { paymentId: id, sequence: Number(issued?.sequence ?? 1) },
  };
  const body = JSON.stringify(event);
  const signature = await signSandbox(secret, body, Date.now());
  if (deliver) await receiveWebhook(c.env, "sandbox", body, new Headers({ [SANDBOX_SIGNATURE_HEADER]: signature }));
  const after = await db.query.payments.findFirst({ where: eq(payments.id, id) });
  if (!after) throw new Error(`payment ${id} vanished`);
  return c.json(
    { object: "sandbox_outcome" as const, payment: toPayment(after), delivered: deliver, webhook: { signature, body } },
    200,
  );
});
