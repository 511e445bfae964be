// `npm run bench -- webhooks`: merchant webhooks on the real platform (`npm start`'s stack on free ports). A local
// receiver on 127.0.0.1 (test/webhook-receiver.ts) answers 500 to the first delivery of every 20th message (5%,
// deterministic by arrival), 200 to the rest. The demo merchant registers it for order.paid; 2,000 orders are checked out and paid
// through the gateway (cart, line, checkout, sandbox payment) by 32 concurrent shoppers. Measured: order.paid
// events delivered per second, and the lag from the order being paid (its paidAt, the Worker's clock on this
// machine) to the receiver's 200 for it (p50, p99; a delivery answered 500 waits for its retry 5 s later). Beside it,
// the baseline in the same run: the orders paid per second and the payment request's latency. Every delivery is
// verified with `standardwebhooks`; distinct webhook-ids are counted against the events written (paid orders):
// nothing may be lost, and duplicates (at-least-once) are reported.
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver } from "../test/webhook-receiver.ts";
import { flakyAnswers } from "./flaky-receiver.ts";
import { type Answer, expectStatus, post as postOnce, withPlatform } from "./platform.ts";
import { createProduct, demoMerchant, shopperTokens } from "./shop.ts";
import { measure, percentile, type Row, summarise, table } from "./stats.ts";

const orders = Number(process.env.BENCH_WEBHOOK_ORDERS ?? 2000);
const clients = 32;
const shoppers = 200;
const failEvery = 20;
const drainTimeoutMs = 180_000;

// A connection dropped on the loaded machine is retried once; the writes that matter carry an Idempotency-Key.
const post = (url: string, headers: Record<string, string>, body: unknown): Promise<Answer> =>
  postOnce(url, headers, body, { retryDropped: true });

export async function benchWebhooks(): Promise<string> {
  // The first delivery of every 20th message gets a 500; its retry (5 s later) a 200.
  const flaky = flakyAnswers(failEvery);
  const delivered = flaky.delivered;
  let badSignatures = 0;
  // Set once the endpoint exists; every delivery is verified as it arrives (the spec's 5-minute tolerance).
  let webhook: Webhook | null = null;
  const receiver = await startWebhookReceiver({
    answer: (received) => {
      try {
        webhook?.verify(received.body, {
          "webhook-id": received.id,
          "webhook-timestamp": received.timestamp,
          "webhook-signature": received.signature,
        });
      } catch {
        badSignatures++;
      }
      return flaky.answer(received);
    },
  });
  try {
    return await withPlatform("webhooks", async (platform) => {
      const gw = platform.gatewayUrl;
      const { merchant, secret } = demoMerchant(platform);
      const endpoint = expectStatus(
        "endpoint",
        await post(`${gw}/v1/webhook-endpoints`, secret, {
          url: `${receiver.url}/hooks/bench`,
          eventTypes: ["order.paid"],
          description: "benchmark receiver",
        }),
      );
      webhook = new Webhook(String(endpoint.secret));
      const product = await createProduct(gw, secret, "Bench webhook serum", [
        { options: { size: "30ml" }, price: 12_900, stock: orders + 100 },
      ]);
      const skuId = product.skuIds[0] ?? "";
      const tokens = await shopperTokens(gw, merchant.publishableKey, shoppers, clients);

      const paidOrders = new Set<string>();
      const payLatencies: number[] = [];
      const started = Date.now();
      const run = await measure("checkout and pay", clients, orders, async (_client, i) => {
        const headers = {
          authorization: `Bearer ${tokens[i % tokens.length]}`,
          "x-publishable-key": merchant.publishableKey,
        };
        const cart = expectStatus("cart", await post(`${gw}/v1/carts`, headers, {}));
        expectStatus("line", await post(`${gw}/v1/carts/${cart.id}/lines`, headers, { skuId, quantity: 1 }), [200]);
        const keyed = (step: string) => ({ ...headers, "idempotency-key": `bench-webhooks-${step}-${i}` });
        const order = expectStatus("checkout", await post(`${gw}/v1/carts/${cart.id}/checkout`, keyed("checkout"), {}));
        const paymentId = (order.payment as { id: string }).id;
        const before = performance.now();
        const paid = expectStatus(
          "pay",
          await post(`${gw}/v1/payments/${paymentId}/sandbox`, keyed("pay"), { outcome: "succeed" }),
          [200],
        );
        payLatencies.push(performance.now() - before);
        if ((paid.payment as { status?: string }).status === "succeeded") paidOrders.add(String(order.id));
      });
      const paidAt = Date.now();
      const paidSeconds = (paidAt - started) / 1000;
      const deliveredWhenPaid = delivered.size;

      // Until every paid order's event got a 200 (retries of the 500s come 5 s later), or 3 minutes have passed.
      const deadline = Date.now() + drainTimeoutMs;
      while (delivered.size < paidOrders.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const received = receiver.received.get("bench") ?? [];
      const lags: number[] = [];
      const ordersTold = new Set<string>();
      let lastAt = started;
      for (const {
        first: { at, body },
      } of delivered.values()) {
        const event = JSON.parse(body) as { type: string; data: { id: string; paidAt: string } };
        if (event.type !== "order.paid" || !paidOrders.has(event.data.id)) continue;
        ordersTold.add(event.data.id);
        lags.push(at - Date.parse(event.data.paidAt));
        lastAt = Math.max(lastAt, at);
      }
      lags.sort((a, b) => a - b);
      const deliveredSeconds = (lastAt - started) / 1000;
      const backlog = ordersTold.size - deliveredWhenPaid;
      const drainSeconds = (lastAt - paidAt) / 1000;
      const duplicates = [...delivered.values()].reduce((n, d) => n + d.count - 1, 0);
      const lost = [...paidOrders].filter((id) => !ordersTold.has(id)).length;
      const deliveredRow: Row = {
        name: "order.paid delivered to the receiver (lag from paidAt to its 200)",
        clients: 1,
        opsPerSecond: ordersTold.size / deliveredSeconds,
        p50: percentile(lags, 50),
        p99: percentile(lags, 99),
      };
      const paidRow: Row = {
        ...summarise({ ...run, latenciesMs: payLatencies }),
        name: "orders paid through the gateway (sandbox payment request)",
        opsPerSecond: paidOrders.size / paidSeconds,
      };
      return [
        "## webhooks: order.paid to a merchant's receiver",
        "",
        `${orders.toLocaleString("en-US")} orders checked out and paid through the gateway by ${clients} concurrent shoppers (cart, line, checkout, sandbox payment) on \`npm start\`'s stack; one endpoint for order.paid on a local receiver (127.0.0.1) answering 500 to the first delivery of every ${failEvery}th message (5%), so those are retried 5 s later by the endpoint's WebhookDispatcher. Delivered: first 200 per event (1 dispatcher: one endpoint's messages go out one at a time, in order); lag: from the order's paidAt to the receiver's 200. Baseline: the orders paid in the same run (the producer; the dispatcher cannot deliver faster than events are written here), with the payment request's latency.`,
        "",
        table([{ row: deliveredRow, baseline: paidRow }]),
        "",
        "| events written (paid orders) | distinct webhook-ids delivered | not delivered when the run ended | duplicates (extra 200s) | answered 500 | deliveries received | bad signatures | lag p50 ms | lag p99 ms | lag max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        `| ${paidOrders.size} | ${ordersTold.size} | ${lost} | ${duplicates} | ${flaky.answered500} | ${received.length} | ${badSignatures} | ${percentile(lags, 50).toFixed(0)} | ${percentile(lags, 99).toFixed(0)} | ${(lags.at(-1) ?? Number.NaN).toFixed(0)} |`,
        "",
        `When the last order was paid, ${deliveredWhenPaid.toLocaleString("en-US")} events had been delivered; the other ${backlog.toLocaleString("en-US")} (the dispatcher's backlog, and the retries) were delivered in the next ${drainSeconds.toFixed(1)} s${drainSeconds > 0 ? ` (${(backlog / drainSeconds).toFixed(0)} events/s with no orders being written)` : ""}.`,
      ].join("\n");
    });
  } finally {
    await receiver.close();
  }
}
