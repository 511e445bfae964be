// `npm run bench -- webhook-dispatch`: what webhook dispatch costs while nothing happens, and how soon events other
// Workers record get out, on `npm start`'s stack (free ports, 127.0.0.1, bounded: about five minutes).
// - Idle: 100 endpoints that nothing is sent to; for 65 s (a cron minute included) nothing else happens. The libSQL
//   server counts every round trip (GET /v1/stats): all of them, the sweep's included, are charged to the idle
//   endpoints, giving an upper bound on their dispatchers' wakes per endpoint per hour. Beside it, the 30 s look the
//   dispatcher had before (3,600 s ÷ 30 s = 120 wakes, each a round trip of 3 reads).
// - Kicked: inventory.low (the catalog Worker's ledger, one SKU moved across its threshold and back) and
//   live_session.started/ended (the live Worker), each kicking checkout's dispatcher; lag from the event's timestamp
//   (the writer's clock, this machine) to its arrival at a local receiver.
// - Lost kick: the same events written straight into the outbox with no kick, spread over a minute: only the
//   sweep (the checkout Worker's cron, fired each minute by `npm start`) sends them; the same lag.
import path from "node:path";
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { jsonSource, rawStatements, webhookEvent } from "#shared/webhook-events.ts";
import { localToken } from "../dev/database.ts";
import { startWebhookReceiver } from "../test/webhook-receiver.ts";
import { type Answer, expectStatus, post, withPlatform } from "./platform.ts";
import { createProduct, demoMerchant } from "./shop.ts";
import { percentile } from "./stats.ts";

const idleEndpoints = 100;
const idleWindowMs = 65_000;
const inventoryEvents = 100;
const liveSessions = 50;
const lostKicks = 20;
const lostKickSpreadMs = 60_000;
const drainTimeoutMs = 150_000;

const expect201or200 = (what: string, answer: Answer) => expectStatus(what, answer, [200, 201]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : "–";

function lagRow(name: string, lags: number[], sent: number): string {
  const sorted = [...lags].sort((a, b) => a - b);
  return `| ${name} | ${sent} | ${lags.length} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted.at(-1) ?? Number.NaN)} |`;
}

export async function benchWebhookDispatch(): Promise<string> {
  const receiver = await startWebhookReceiver();
  try {
    return await withPlatform("webhook-dispatch", async (platform) => {
      const gw = platform.gatewayUrl;
      const dataDir = path.dirname(platform.credentialsFile);
      const token = await localToken(dataDir);
      const db = createClient({ url: platform.libsqlUrl, authToken: token });
      const roundTrips = async () => {
        const res = await fetch(`${platform.libsqlUrl}/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { pipelines: number }).pipelines;
      };
      const { merchant, secret } = demoMerchant(platform);

      // Idle endpoints: subscribed to an event nothing here causes.
      for (let i = 0; i < idleEndpoints; i++) {
        expect201or200(
          "idle endpoint",
          await post(`${gw}/v1/webhook-endpoints`, secret, {
            url: `${receiver.url}/hooks/idle${i}`,
            eventTypes: ["return.rejected"],
            description: "idle (benchmark)",
          }),
        );
      }
      // The endpoint the events go to.
      expect201or200(
        "endpoint",
        await post(`${gw}/v1/webhook-endpoints`, secret, {
          url: `${receiver.url}/hooks/events`,
          eventTypes: ["inventory.low", "live_session.started", "live_session.ended"],
          inventoryLowThreshold: 10,
          description: "benchmark receiver",
        }),
      );
      const product = await createProduct(gw, secret, "Bench dispatch balm", [
        { options: { size: "15ml" }, price: 6_900, stock: 10 },
      ]);
      const productId = product.id;
      const skuId = product.skuIds[0] ?? "";

      // Idle: let the creations' passes end, then count every round trip to the database for the window.
      await sleep(3_000);
      const before = await roundTrips();
      await sleep(idleWindowMs);
      const idleTrips = (await roundTrips()) - before;
      const perEndpointHour = (idleTrips / idleEndpoints) * (3_600_000 / idleWindowMs);

      // Kicked: 10 -> 9 crosses the threshold (inventory.low), 9 -> 10 puts it back; live sessions start and end.
      const arrivals = () => receiver.received.get("events") ?? [];
      const lagsOf = (types: string[], from: number) =>
        arrivals()
          .slice(from)
          .map((r) => ({ r, event: JSON.parse(r.body) as { type: string; timestamp: string } }))
          .filter(({ event }) => types.includes(event.type))
          .map(({ r, event }) => r.at - Date.parse(event.timestamp));
      const adjust = (delta: number, key: string) =>
        post(
          `${gw}/v1/skus/${skuId}/inventory-adjustments`,
          { ...secret, "idempotency-key": key },
          {
            delta,
            reason: "correction",
          },
        ).then((r) => expect201or200("adjustment", r));
      for (let i = 0; i < inventoryEvents; i++) {
        await adjust(-1, `bench-dispatch-down-${i}`);
        await adjust(1, `bench-dispatch-up-${i}`);
      }
      for (let i = 0; i < liveSessions; i++) {
        const session = expect201or200(
          "live session",
          await post(`${gw}/v1/live/sessions`, secret, {
            title: `Bench dispatch ${i}`,
            scheduledStartAt: new Date(Date.now() + 3_600_000).toISOString(),
            productIds: [productId],
          }),
        );
        expect201or200("start", await post(`${gw}/v1/live/sessions/${session.id}/start`, secret, {}));
        expect201or200("end", await post(`${gw}/v1/live/sessions/${session.id}/end`, secret, {}));
      }
      const kicked = inventoryEvents + 2 * liveSessions;
      const deadline = Date.now() + drainTimeoutMs;
      while (arrivals().length < kicked && Date.now() < deadline) await sleep(100);
      const kickedInventory = lagsOf(["inventory.low"], 0);
      const kickedLive = lagsOf(["live_session.started", "live_session.ended"], 0);

      // Lost kick: each event recorded as its writer records it, then no kick; spread over a minute.
      const lostFrom = arrivals().length;
      for (let i = 0; i < lostKicks; i++) {
        const type = i % 2 === 0 ? "inventory.low" : "live_session.started";
        await db.batch(
          rawStatements(
            webhookEvent({
              type,
              source: jsonSource({ lostKick: i }),
              merchants: sql`SELECT ${merchant.id}`,
            }),
          ),
          "write",
        );
        await sleep(lostKickSpreadMs / lostKicks);
      }
      const lostDeadline = Date.now() + drainTimeoutMs;
      while (arrivals().length < lostFrom + lostKicks && Date.now() < lostDeadline) await sleep(200);
      const swept = lagsOf(["inventory.low", "live_session.started"], lostFrom);
      db.close();

      return [
        "## webhook-dispatch: idle endpoints' cost, and how soon other Workers' events go out",
        "",
        `\`npm start\`'s stack (every Worker in one workerd, the local libSQL server), 127.0.0.1. Idle: ${idleEndpoints} webhook endpoints nothing is sent to, and for ${idleWindowMs / 1000} s nothing else (a cron minute included); every round trip the libSQL server served in that window (its GET /v1/stats; the sweep's and any other Worker's included) is charged to those endpoints, so the figure is an upper bound on their dispatchers' wakes. Before, a dispatcher looked for work every 30 s whatever happened: 3,600 ÷ 30 = 120 wakes an hour per endpoint, each a round trip of 3 reads. Events: ${inventoryEvents} inventory.low (one SKU moved across its threshold by the catalog Worker's ledger) and ${liveSessions} live sessions started and ended by the live Worker, one endpoint receiving them; lag from the event's timestamp (the writer's clock) to its arrival at the receiver. Lost kick: ${lostKicks} of the same events written straight into the outbox with no kick, one every ${lostKickSpreadMs / lostKicks / 1000} s: only the minute's sweep sends them (before, the 30 s look did).`,
        "",
        "| idle endpoints | window s | database round trips in the window (all Workers) | wakes per idle endpoint per hour (upper bound) | before: the 30 s look |",
        "|---:|---:|---:|---:|---:|",
        `| ${idleEndpoints} | ${idleWindowMs / 1000} | ${idleTrips} | ${fmt(perEndpointHour, 2)} | 120 |`,
        "",
        "| events | sent | delivered | lag p50 ms | lag p99 ms | lag max ms |",
        "|---|---:|---:|---:|---:|---:|",
        lagRow("inventory.low (catalog Worker, kicked)", kickedInventory, inventoryEvents),
        lagRow("live_session.started/ended (live Worker, kicked)", kickedLive, 2 * liveSessions),
        lagRow("the same with the kick lost (the minute's sweep sends them)", swept, lostKicks),
      ].join("\n");
    });
  } finally {
    await receiver.close();
  }
}
