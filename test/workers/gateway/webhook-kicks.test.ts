// Merchant webhooks recorded by the catalog and live Workers reach the endpoint through a kick: each Worker, once its
// batch has committed, kicks checkout's WebhookDispatcher through its own binding to that class (`script_name`). Here
// nothing else could deliver them: an idle dispatcher keeps no alarm (test/workers/checkout/webhook-wakes.test.ts)
// and no cron trigger fires inside vitest, so without the kick the receiver would wait forever.
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it, vi } from "vitest";
import type { Received } from "../../webhook-receiver.ts";
import { call, merchantWithSku, post, uniqueHandle } from "./helpers.ts";

const receiver = () => inject("webhookReceiverUrl");

async function delivered(name: string, count: number): Promise<Received[]> {
  return vi.waitFor(
    async () => {
      const got = await (await fetch(`${receiver()}/_received/${name}`)).json<Received[]>();
      if (got.length < count) throw new Error(`${name}: ${got.length} of ${count} deliveries`);
      return got;
    },
    { timeout: 15_000, interval: 50 },
  );
}

const eventOf = (secret: string, d: Received) =>
  new Webhook(secret).verify(d.body, {
    "webhook-id": d.id,
    "webhook-timestamp": d.timestamp,
    "webhook-signature": d.signature,
  }) as { type: string; data: Record<string, unknown> };

describe("webhook events other Workers record", () => {
  it("are delivered by a kick: the catalog's inventory.low, live's live_session.started and .ended", async () => {
    const { secret, product, skuId } = await merchantWithSku("踢一下 Kick test", {
      options: { 颜色: "红" },
      price: 9900,
      stock: 12,
    });
    const name = uniqueHandle("kick");
    const created = await call(
      "/v1/webhook-endpoints",
      post(
        {
          url: `${receiver()}/hooks/${name}`,
          eventTypes: ["inventory.low", "live_session.started", "live_session.ended"],
          inventoryLowThreshold: 10,
        },
        secret,
      ),
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const endpoint = await created.json<{ id: string; secret: string }>();

    // 12 -> 9 crosses the threshold of 10: the catalog Worker records inventory.low and kicks.
    const adjusted = await call(
      `/v1/skus/${skuId}/inventory-adjustments`,
      post({ delta: -3, reason: "damaged" }, { ...secret, "idempotency-key": uniqueHandle("adj") }),
    );
    expect(adjusted.status, await adjusted.clone().text()).toBe(201);
    const [low] = await delivered(name, 1);
    expect(eventOf(endpoint.secret, low as Received)).toMatchObject({
      type: "inventory.low",
      data: { skuId, stock: 9, previousStock: 12 },
    });

    // The merchant's own session with the product on its shelf: the live Worker records both events and kicks.
    const scheduled = await call(
      "/v1/live/sessions",
      post(
        {
          title: "踢一下 live",
          scheduledStartAt: new Date(Date.now() + 3_600_000).toISOString(),
          productIds: [product.id],
        },
        secret,
      ),
    );
    expect(scheduled.status, await scheduled.clone().text()).toBe(201);
    const session = await scheduled.json<{ id: string }>();
    expect((await call(`/v1/live/sessions/${session.id}/start`, post({}, secret))).status).toBe(200);
    await delivered(name, 2);
    expect((await call(`/v1/live/sessions/${session.id}/end`, post({}, secret))).status).toBe(200);
    const got = await delivered(name, 3);
    expect(got.map((d) => eventOf(endpoint.secret, d))).toMatchObject([
      { type: "inventory.low" },
      { type: "live_session.started", data: { id: session.id, status: "live" } },
      { type: "live_session.ended", data: { id: session.id, status: "ended" } },
    ]);
  });
});
