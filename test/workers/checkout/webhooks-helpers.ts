// Webhook test fixtures, each test on a merchant of its own (newMerchant, so no other test's orders reach its
// endpoints): endpoints pointed at the run's local receiver (test/webhook-receiver.ts), what the receiver got,
// and the outbox's rows.

import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { expect, inject, vi } from "vitest";
import { database } from "#shared/db.ts";
import type { Received } from "../../webhook-receiver.ts";
import { asMerchant, shopper } from "./callers.ts";
import { call, createSkus, key, newMerchant } from "./helpers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiverUrl: string;
  }
}

export interface Endpoint {
  id: string;
  url: string;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
  ed25519PublicKey: string | null;
}

const receiver = () => inject("webhookReceiverUrl");

/** An endpoint of `merchant` delivering to the receiver's `/hooks/<name>`. */
export async function createEndpoint(merchant: string, name: string, body: Record<string, unknown> = {}) {
  const res = await call("POST", "/v1/webhook-endpoints", {
    headers: asMerchant(merchant),
    body: { url: `${receiver()}/hooks/${name}`, eventTypes: ["order.created"], ...body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Endpoint>();
}

export const uniqueName = () => `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** A new merchant with an endpoint of its own (createEndpoint's `body`), delivering to a receiver name of its own. */
export async function newEndpoint(body: Record<string, unknown> = {}) {
  const merchant = await newMerchant();
  const name = uniqueName();
  const endpoint = await createEndpoint(merchant, name, body);
  return { merchant, name, endpoint };
}

export async function received(name: string): Promise<Received[]> {
  return (await fetch(`${receiver()}/_received/${name}`)).json<Received[]>();
}

/** Waits until the receiver has at least `count` deliveries for `name` (delivery runs on the dispatcher's alarm). */
export const receivedAtLeast = (name: string, count: number) =>
  vi.waitFor(
    async () => {
      const got = await received(name);
      if (got.length < count) throw new Error(`${name}: ${got.length} of ${count} deliveries`);
      return got;
    },
    { timeout: 20_000, interval: 50 },
  );

/** The events the receiver got for `name`, once it has at least `count`, their bodies parsed. */
export async function eventsReceived(name: string, count: number) {
  const got = await receivedAtLeast(name, count);
  return got.map((d) => JSON.parse(d.body) as { type: string; data: Record<string, unknown> });
}

export async function rule(
  name: string,
  answer: { status: number; retryAfter?: string; times?: number; hold?: boolean },
): Promise<void> {
  await fetch(`${receiver()}/_rules/${name}`, { method: "POST", body: JSON.stringify(answer) });
}

export const release = (name: string) => fetch(`${receiver()}/_release/${name}`, { method: "POST" });

/** The delivery's headers and body, verified with the official `standardwebhooks` package (throws if not). */
export function verify(secret: string, delivery: Received): { type: string; timestamp: string; data: unknown } {
  return new Webhook(secret).verify(delivery.body, {
    "webhook-id": delivery.id,
    "webhook-timestamp": delivery.timestamp,
    "webhook-signature": delivery.signature,
  }) as { type: string; timestamp: string; data: unknown };
}

export interface DeliveryRow {
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
}

export async function deliveriesOf(endpointId: string): Promise<DeliveryRow[]> {
  const rows = await database(env).$client.execute({
    sql: "SELECT message_id, status, attempts, next_attempt_at FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY message_id",
    args: [endpointId],
  });
  return rows.rows as unknown as DeliveryRow[];
}

/** Waits until no delivery of the endpoint has `attempts` below `count`, or until it is no longer pending. */
export const attempted = (endpointId: string, count: number) =>
  vi.waitFor(
    async () => {
      const rows = await deliveriesOf(endpointId);
      if (rows.length === 0 || rows.some((r) => r.status === "pending" && r.attempts < count)) {
        throw new Error(`not yet attempted ${count} times: ${JSON.stringify(rows)}`);
      }
      return rows;
    },
    { timeout: 20_000, interval: 50 },
  );

/** Time travel: the endpoint's pending deliveries become due now, and its dispatcher's alarm runs. */
export async function runDue(endpointId: string): Promise<void> {
  await database(env).$client.execute({
    sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE endpoint_id = ? AND status = 'pending'",
    args: [new Date(Date.now() - 1).toISOString(), endpointId],
  });
  const stub = env.WEBHOOK_DISPATCHER.getByName(endpointId);
  await stub.kick(endpointId);
  await runDurableObjectAlarm(stub);
}

/** An order of `merchant`'s fresh SKU (stock `stock`) checked out by shopper `who`; its id and SKU. */
export async function orderOf(merchant: string, who: string, options: { stock?: number; quantity?: number } = {}) {
  const { skuIds } = await createSkus({ prices: [12_000], stock: options.stock ?? 5, owner: merchant });
  const skuId = skuIds[0] ?? "";
  const s = shopper(who);
  const cart = await (await call("POST", "/v1/carts", { headers: s })).json<{ id: string }>();
  await call("POST", `/v1/carts/${cart.id}/lines`, { headers: s, body: { skuId, quantity: options.quantity ?? 1 } });
  const res = await call("POST", `/v1/carts/${cart.id}/checkout`, { headers: s, key: key() });
  return { res, skuId, cartId: cart.id };
}
