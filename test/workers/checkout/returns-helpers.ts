// Fixtures for the returns and commission tests, each on a merchant of its own (newMerchant, at its own commission
// rate, so no other test's orders count): orders whose lines a demo creator's note credits, paid in the sandbox,
// fulfilled and delivered, and a delivery moved back in time (the return window and the payable time count from it).
import { env, exports } from "cloudflare:workers";
import { database } from "#shared/db.ts";
import { asMerchant, shopper } from "./callers.ts";
import { call, createSkus, key, shelvedBy, taggedBy } from "./helpers.ts";
import { checkout, type Order, type Outcome, sandbox } from "./orders.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's local webhook receiver (test/webhook-receiver.ts). */
    webhookReceiverUrl: string;
  }
}

export interface LineSpec {
  price: number;
  quantity: number;
  /** The creator whose note (or live session, with `shelfRateBps`) credits the line; none: not credited. */
  creator?: string;
  /** Credited through a live session of the creator shelving the product at this rate. */
  shelfRateBps?: number;
  /** The product's own commission rate; none: the merchant's. */
  rateBps?: number;
}

/** The fake Stripe (test/stripe-fake.ts), steered through its /_fake/ routes: read (no body) or told (a body). */
export const stripeFake = async <T>(path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${env.STRIPE_API_BASE}/_fake/${path}`, {
    method: body === undefined ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake ${path}: ${res.status} ${await res.text()}`);
  return res.json<T>();
};

/** The answers the fake Stripe can give a refund request: made but pending, refused, down, or made with the answer lost. */
const refundAnswers = {
  pending: { status: 200, refundStatus: "pending" },
  disputed: {
    status: 400,
    error: { type: "invalid_request_error", code: "charge_disputed", message: "The charge is disputed." },
  },
  unavailable: { status: 503, error: { type: "api_error", message: "Service unavailable" } },
  lost: {
    status: 500,
    error: { type: "api_error", message: "An error occurred with our connection to Stripe." },
    lost: true,
  },
};

/** The fake Stripe gives `answer` to the refund requests whose fields include `match`: the next `times`, else all. */
export const stripeRefundsAnswer = (
  answer: keyof typeof refundAnswers,
  match: Record<string, string>,
  times?: number,
) =>
  stripeFake("rules", {
    path: "/v1/refunds",
    match,
    ...refundAnswers[answer],
    ...(times === undefined ? {} : { times }),
  });

/** The fake moves `object` (a Stripe id, or our payment or refund id) and its signed event is delivered to us. */
export async function stripeEvent(type: string, object: string, extra: { status?: string } = {}): Promise<Response> {
  const event = await stripeFake<{ body: string; signature: string }>("events", { type, object, ...extra });
  return exports.default.fetch(
    new Request("http://checkout/v1/webhooks/stripe", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": event.signature },
      body: event.body,
    }),
  );
}

/** A paid order of `merchant`'s fresh products, one line per spec (in order: position i is spec i). */
export async function paidOrderOf(
  who: string,
  merchant: string,
  lines: LineSpec[],
  provider: "sandbox" | "stripe" = "sandbox",
) {
  const db = database(env);
  const s = shopper(who);
  const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
  const skuIds: string[] = [];
  for (const line of lines) {
    const { productId, skuIds: made } = await createSkus({ prices: [line.price], stock: 10, owner: merchant });
    const skuId = made[0] ?? "";
    skuIds.push(skuId);
    if (line.rateBps !== undefined) {
      await db.$client.execute({
        sql: "UPDATE products SET commission_rate_bps = ? WHERE id = ?",
        args: [line.rateBps, productId],
      });
    }
    let attribution: string | undefined;
    if (line.creator && line.shelfRateBps !== undefined) {
      attribution = (await shelvedBy({ creatorId: line.creator }, productId, line.shelfRateBps)).reference;
    } else if (line.creator) {
      attribution = (await taggedBy(productId, line.creator)).reference;
    }
    const res = await call("POST", `/v1/carts/${cart.id}/lines`, {
      headers: s,
      body: { skuId, quantity: line.quantity, ...(attribution ? { attribution } : {}) },
    });
    if (res.status !== 200) throw new Error(`add line: ${res.status} ${await res.text()}`);
  }
  const res = await checkout(who, cart.id, { paymentProvider: provider });
  if (res.status !== 201) throw new Error(`checkout: ${res.status} ${await res.text()}`);
  const order = await res.json<Order>();
  if (provider === "stripe") {
    const paid = await stripeEvent("payment_intent.succeeded", order.payment?.id ?? "");
    if (paid.status !== 200) throw new Error(`stripe: ${paid.status} ${await paid.text()}`);
    return { order, skuIds, paid: null };
  }
  const paid = await sandbox(order.payment?.id ?? "", who, { outcome: "succeed" });
  if (paid.status !== 200) throw new Error(`sandbox: ${paid.status} ${await paid.text()}`);
  return { order, skuIds, paid: await paid.json<Outcome>() };
}

/** Fulfilled and delivered by its merchant. */
export async function deliver(orderId: string, merchant: string): Promise<void> {
  for (const step of ["fulfil", "deliver"]) {
    const res = await call("POST", `/v1/orders/${orderId}/${step}`, { headers: asMerchant(merchant) });
    if (res.status !== 200) throw new Error(`${step}: ${res.status} ${await res.text()}`);
  }
}

/** The order's delivery (and payment, if later) moved to `days` days ago. */
export async function deliveredDaysAgo(orderId: string, days: number): Promise<void> {
  const at = new Date(Date.now() - days * 86_400_000).toISOString();
  await database(env).$client.execute({
    sql: "UPDATE orders SET delivered_at = ?, paid_at = min(paid_at, ?) WHERE id = ?",
    args: [at, at, orderId],
  });
}

export const requestReturn = (orderId: string, who: string, body: unknown, idempotencyKey = key()) =>
  call("POST", `/v1/orders/${orderId}/returns`, { headers: shopper(who), key: idempotencyKey, body });

export const decide = (returnId: string, merchant: string, action: "approve" | "reject", body?: unknown) =>
  call("POST", `/v1/returns/${returnId}/${action}`, { headers: asMerchant(merchant), body });
