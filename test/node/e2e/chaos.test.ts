// The chaos run: shoppers fill carts (some with a flash-sale hold), check out and pay with the sandbox provider
// while webhooks go to a receiver that refuses 5% of deliveries, and the whole platform (npm, the libSQL server,
// workerd: every process of the tree) is killed with SIGKILL twice, once during a checkout and once during a
// payment, and started again on its data. Clients retry as real ones do: the same Idempotency-Key after a connection
// error or a 5xx. Afterwards nothing acknowledged is lost, stock adds up per SKU and to its ledger, every order
// event reached the receiver with one body per webhook-id, and nothing stays pending past its recovery. The table it
// prints is described in docs/development.md#the-chaos-run. Bounds below are liveness bounds, never timings.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect, localToken } from "../../../dev/database.ts";
import { startWebhookReceiver } from "../../webhook-receiver.ts";
import { freePort } from "../ports.ts";
import { commandOf, killAll, listProcesses, processTree, stillRunning } from "../process-tree.ts";
import { answered, type Chaos, type Ledger, random, type Shop, SKUS, seed, shopper } from "./chaos-shoppers.ts";
import { type NpmStart, type NpmStartOptions, npmStart } from "./npm-start.ts";

const SHOPPERS = 6;
const STOCK = 60;
/** Orders acknowledged in each phase before the next kill (and before the traffic stops after the last restart). */
const ORDERS_PER_PHASE = 12;
/** A fifth SKU's flash sale: shoppers reserve a unit (a hold) and check it out in some of their carts. */
const FLASH_STOCK = 40;
const FLASH_QUANTITY = 30;
const PAYMENT_TIMEOUT_SECONDS = 150;
/** How long the platform gets after the traffic to settle deadlines and deliveries. */
const RECOVERY_MS = 240_000;

async function until(what: () => boolean, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`${label}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL to every process of the platform's tree at once; resolves when none is left. */
async function killPlatform(platform: NpmStart): Promise<number> {
  const pid = platform.child.pid;
  if (pid === undefined || pid <= 0) throw new Error("npm start has no pid");
  const tree = processTree(pid);
  const commands = tree.map(commandOf);
  // The kill must reach the whole platform, or what survives would carry the run.
  for (const part of [/^npm start/, /node dev\/start\.ts/, /libsql-server\/main\.ts/, /workerd serve/]) {
    expect(
      commands.some((c) => part.test(c)),
      `${part} in\n${listProcesses(tree)}`,
    ).toBe(true);
  }
  killAll(tree);
  const left = await stillRunning(tree, 10_000);
  expect(listProcesses(left), "still running after SIGKILL").toBe("");
  return tree.length;
}

interface Sale {
  stockLeft: number;
  shardStock: { shard: number; held: number; committed: number; waiting: number }[];
}

interface Order {
  id: string;
  status: string;
  cartId: string;
  lines: { skuId: string; quantity: number }[];
  payment: { id: string; status: string };
}

async function merchantOrders(chaos: Chaos, skuIds: Set<string>): Promise<Order[]> {
  const found: Order[] = [];
  let cursor: string | null = null;
  do {
    const page = await answered(chaos, "GET", `/v1/orders?limit=100${cursor ? `&cursor=${cursor}` : ""}`, {
      authorization: `Bearer ${chaos.secretKey}`,
    });
    if (page.status !== 200) throw new Error(`orders: ${page.status} ${JSON.stringify(page.body)}`);
    found.push(...(page.body.data as Order[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return found.filter((o) => o.lines.every((l) => skuIds.has(l.skuId)));
}

let dataDir: string | undefined;
/** Messages the receiver refused once, and those it took (answered 200). */
const refusedOnce = new Set<string>();
const accepted = new Set<string>();
const receiver = await startWebhookReceiver({
  // 5% of deliveries refused at random; a message refused once is taken at its retry 5 s later (the schedule's next
  // retry after that is 5 minutes away, past this run's bound).
  answer: (delivery) => {
    if (!refusedOnce.has(delivery.id) && random() < 0.05) {
      refusedOnce.add(delivery.id);
      return 500;
    }
    accepted.add(delivery.id);
    return 200;
  },
});
let current: NpmStart | undefined;

afterAll(async () => {
  await current?.stop("SIGKILL");
  await receiver.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("the chaos run", () => {
  it("loses nothing acknowledged when the whole platform is killed with SIGKILL twice under traffic", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-chaos-"));
    const at: NpmStartOptions = {
      port: await freePort(),
      libsqlPort: await freePort(),
      dataDir,
      timeoutMs: 240_000,
      // Every shopper comes from 127.0.0.1: the per-address limit would throttle the run, not test it.
      env: {
        RATE_LIMITS: "off",
        ORDER_PAYMENT_TIMEOUT_SECONDS: String(PAYMENT_TIMEOUT_SECONDS),
        HOLD_TTL_SECONDS: String(PAYMENT_TIMEOUT_SECONDS),
      },
    };
    current = await npmStart("chaos", at);
    const { merchants } = await current.credentials<{
      merchants: { secretKey: string; publishableKey: string }[];
    }>();
    const merchant = merchants[0];
    if (!merchant) throw new Error("no demo merchant");
    const chaos: Chaos = {
      gateway: current.gateway,
      publishableKey: merchant.publishableKey,
      secretKey: merchant.secretKey,
      inFlight: { checkout: 0, payment: 0 },
      stopped: false,
    };
    const asMerchant = { authorization: `Bearer ${merchant.secretKey}` };

    const endpoint = await answered(chaos, "POST", "/v1/webhook-endpoints", asMerchant, {
      url: `${receiver.url}/hooks/chaos`,
      eventTypes: ["order.created", "order.paid", "order.cancelled"],
    });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const product = await answered(chaos, "POST", "/v1/products", asMerchant, {
      title: "混沌测试 chaos run",
      status: "active",
      skus: Array.from({ length: SKUS + 1 }, (_, i) => ({
        options: { 色号: `#${i + 1}` },
        price: { amount: 3900, currency: "CNY" },
        stock: i < SKUS ? STOCK : FLASH_STOCK,
      })),
    });
    expect(product.status, JSON.stringify(product.body)).toBe(201);
    const allSkuIds = (product.body.skus as { id: string }[]).map((s) => s.id);
    const skuIds = allSkuIds.slice(0, SKUS);
    const flashSkuId = allSkuIds[SKUS] ?? "";
    const sale = await answered(
      chaos,
      "POST",
      "/v1/flash-sales",
      { ...asMerchant, "idempotency-key": randomUUID() },
      {
        skuId: flashSkuId,
        quantity: FLASH_QUANTITY,
        price: { amount: 1990, currency: "CNY" },
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perShopperLimit: 100,
      },
    );
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    const shop: Shop = { skuIds, flash: { saleId: String(sale.body.id), skuId: flashSkuId } };

    const ledger: Ledger = {
      checkouts: new Map(),
      orders: new Map(),
      soldOut: 0,
      abandoned: new Set(),
      holdsAbandoned: 0,
      holdsReserved: 0,
      flashSoldOut: 0,
      payments: new Map(),
      retries: 0,
      unexpected: [],
    };
    let phase = 0;
    const shoppers = Promise.all(Array.from({ length: SHOPPERS }, () => shopper(chaos, ledger, shop, () => phase)));
    shoppers.catch(() => {});
    const kills: string[] = [];
    try {
      // Kill one while a checkout is in flight, kill two while a payment is; each after a phase's orders.
      const killPoints = [
        { inFlight: "checkout", ms: 180_000, name: "first" },
        { inFlight: "payment", ms: 240_000, name: "second" },
      ] as const;
      for (const [i, point] of killPoints.entries()) {
        const before = ledger.orders.size;
        await until(
          () => ledger.orders.size >= before + ORDERS_PER_PHASE && chaos.inFlight[point.inFlight] > 0,
          point.ms,
          `traffic before the ${point.name} kill`,
        );
        kills.push(`during ${chaos.inFlight.checkout} checkout(s), ${chaos.inFlight.payment} payment(s)`);
        phase = i + 1;
        await killPlatform(current);
        current = await npmStart("chaos", at);
      }

      const after = ledger.orders.size;
      await until(() => ledger.orders.size >= after + ORDERS_PER_PHASE, 240_000, "traffic after the last restart");
    } finally {
      chaos.stopped = true;
    }
    await shoppers;

    // Recovery: unpaid orders reach their deadline, deliveries their retries, interrupted requests their end.
    const platform = current;
    const db = connect({ url: platform.libsqlUrl, authToken: await localToken(dataDir) }).$client;
    const endpointId = String(endpoint.body.id);
    const skuSet = new Set(allSkuIds);
    const settle = async () => {
      const orders = await merchantOrders(chaos, skuSet);
      const outbox = await db.execute({
        sql: `SELECT d.message_id, d.status, d.attempts, m.payload FROM webhook_deliveries d
                JOIN webhook_messages m ON m.id = d.message_id WHERE d.endpoint_id = ?`,
        args: [endpointId],
      });
      const inProgress = await db.execute(
        "SELECT caller, key, created_at FROM idempotency_keys WHERE status = 'in_progress'",
      );
      const deliveries = receiver.received.get("chaos") ?? [];
      const delivered = new Set(accepted);
      const flash = await answered(chaos, "GET", `/v1/flash-sales/${shop.flash.saleId}`, asMerchant);
      return {
        orders,
        outbox: outbox.rows,
        inProgress: inProgress.rows,
        deliveries,
        delivered,
        sale: flash.body as unknown as Sale,
      };
    };
    let settled = await settle();
    const recoveryDeadline = Date.now() + RECOVERY_MS;
    const pendingOf = (s: typeof settled) => ({
      orders: s.orders.filter((o) => o.status === "pending_payment").map((o) => o.id),
      payments: s.orders.filter((o) => o.payment.status === "processing").map((o) => o.payment.id),
      deliveries: s.outbox.filter((r) => r.status !== "succeeded").map((r) => `${r.message_id} ${r.status}`),
      undelivered: s.outbox.filter((r) => !s.delivered.has(String(r.message_id))).map((r) => r.message_id),
      idempotencyKeys: s.inProgress.map((r) => `${r.caller} ${r.key} since ${r.created_at}`),
      holds: s.sale.shardStock.filter((shard) => shard.held > 0 || shard.waiting > 0).map((shard) => shard.shard),
    });
    while (Object.values(pendingOf(settled)).some((list) => list.length > 0) && Date.now() < recoveryDeadline) {
      await new Promise((r) => setTimeout(r, 2000));
      settled = await settle();
    }
    db.close();
    const { orders, outbox, deliveries } = settled;
    const byId = new Map(orders.map((o) => [o.id, o]));

    // The skus as the merchant sees them now, and their ledgers.
    const stock = new Map<string, number>();
    const ledgerSums = new Map<string, { total: number; initial: number; orders: number; cancelled: number }>();
    const read = await answered(chaos, "GET", `/v1/products/${String(product.body.id)}`, asMerchant);
    for (const sku of read.body.skus as { id: string; stock: number }[]) stock.set(sku.id, sku.stock);
    for (const skuId of allSkuIds) {
      const rows: { delta: number; reason: string }[] = [];
      let cursor: string | null = null;
      do {
        const page = await answered(
          chaos,
          "GET",
          `/v1/skus/${skuId}/inventory-adjustments?limit=100${cursor ? `&cursor=${cursor}` : ""}`,
          asMerchant,
        );
        rows.push(...(page.body.data as { delta: number; reason: string }[]));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      const sum = (reason?: string) =>
        rows.filter((r) => reason === undefined || r.reason === reason).reduce((n, r) => n + r.delta, 0);
      ledgerSums.set(skuId, {
        total: sum(),
        initial: sum("initial_stock"),
        orders: sum("order"),
        cancelled: sum("order_cancelled"),
      });
    }
    const sold = new Map<string, number>(allSkuIds.map((id) => [id, 0]));
    for (const order of orders) {
      if (order.status === "cancelled") continue;
      for (const line of order.lines) sold.set(line.skuId, (sold.get(line.skuId) ?? 0) + line.quantity);
    }

    // Webhooks: one body per webhook-id, and every order event the orders imply was received.
    const bodies = new Map<string, Set<string>>();
    for (const d of deliveries) bodies.set(d.id, new Set([...(bodies.get(d.id) ?? []), d.body]));
    const received = new Map<string, Set<string>>();
    for (const d of deliveries) {
      const body = JSON.parse(d.body) as { type: string; data: { id: string } };
      received.set(body.data.id, new Set([...(received.get(body.data.id) ?? []), body.type]));
    }
    const expectedEvents = orders.flatMap((o) => [
      `${o.id} order.created`,
      ...(["paid", "fulfilled", "delivered"].includes(o.status) ? [`${o.id} order.paid`] : []),
      ...(o.status === "cancelled" ? [`${o.id} order.cancelled`] : []),
    ]);
    const missingEvents = expectedEvents.filter((e) => {
      const [id = "", type = ""] = e.split(" ");
      return !received.get(id)?.has(type);
    });

    const acknowledged = [...ledger.orders.keys()];
    const succeeded = [...ledger.payments.entries()].filter(([, p]) => p.status === "succeeded");
    const table = [
      "",
      `chaos run (seed ${seed}): ${SHOPPERS} shoppers, ${SKUS} SKUs × ${STOCK} and a flash sale of ${FLASH_QUANTITY}; kills: ${kills.join("; ")}`,
      "              acknowledged   present   note",
      `orders        ${pad(acknowledged.length)}     ${pad(acknowledged.filter((id) => byId.has(id)).length)}   ${orders.length} ours in the database (${count(orders, "paid")} paid, ${count(orders, "cancelled")} cancelled, ${count(orders, "pending_payment")} unpaid); ${ledger.abandoned.size} left unpaid on purpose; ${ledger.soldOut} sold out`,
      `flash units   ${pad(ledger.holdsReserved)}     ${pad(sold.get(flashSkuId) ?? 0)}   holds reserved vs sold; ${ledger.holdsAbandoned} holds left to expire on purpose, ${settled.sale.stockLeft} of ${FLASH_QUANTITY} left, ${ledger.flashSoldOut} sold out`,
      `payments      ${pad(succeeded.length)}     ${pad(succeeded.filter(([, p]) => byId.get(p.orderId)?.status === "paid").length)}   succeeded answers on paid orders`,
      `events        ${pad(outbox.length)}     ${pad(outbox.filter((r) => settled.delivered.has(String(r.message_id))).length)}   recorded for the endpoint vs delivered; ${deliveries.length} deliveries, ${refusedOnce.size} refused (500), ${deliveries.length - bodies.size} repeats`,
      `retries       ${ledger.retries} after a lost connection, a 5xx or an in-progress key; still pending at the end: ${JSON.stringify(pendingOf(settled))}`,
      "",
    ].join("\n");
    console.log(table);

    expect(ledger.unexpected, "answers no client should get").toEqual([]);
    // Every 201 names one order, which exists; every order present was acknowledged; one order per cart.
    for (const [key, ids] of ledger.checkouts) expect([...ids], `checkout ${key}`).toHaveLength(1);
    expect(
      acknowledged.filter((id) => !byId.has(id)),
      "acknowledged orders missing",
    ).toEqual([]);
    expect(
      orders.filter((o) => !ledger.orders.has(o.id)).map((o) => o.id),
      "orders nobody was told of",
    ).toEqual([]);
    expect(new Set(orders.map((o) => o.cartId)).size).toBe(orders.length);
    // Every payment answered succeeded is on a paid order; the rest were paid unless left unpaid on purpose.
    expect(succeeded.filter(([, p]) => byId.get(p.orderId)?.status !== "paid")).toEqual([]);
    for (const order of orders) {
      expect(order.status, order.id).toBe(ledger.abandoned.has(order.id) ? "cancelled" : "paid");
    }
    // Stock + sold = initial for every SKU, and the ledger explains the stock.
    for (const skuId of skuIds) {
      const sums = ledgerSums.get(skuId);
      expect({ skuId, stockPlusSold: (stock.get(skuId) ?? 0) + (sold.get(skuId) ?? 0), ledger: sums?.total }).toEqual({
        skuId,
        stockPlusSold: STOCK,
        ledger: stock.get(skuId),
      });
      expect({ initial: sums?.initial, sold: -((sums?.orders ?? 0) + (sums?.cancelled ?? 0)) }).toEqual({
        initial: STOCK,
        sold: sold.get(skuId),
      });
    }
    // The flash sale: its units are left or in orders, none held past its expiry; its SKU kept the rest.
    const shards = settled.sale.shardStock;
    expect({
      leftPlusSold: settled.sale.stockLeft + (sold.get(flashSkuId) ?? 0),
      committed: shards.reduce((n, shard) => n + shard.committed, 0),
    }).toEqual({ leftPlusSold: FLASH_QUANTITY, committed: sold.get(flashSkuId) });
    expect({ stock: stock.get(flashSkuId), ledger: ledgerSums.get(flashSkuId)?.total }).toEqual({
      stock: FLASH_STOCK - FLASH_QUANTITY,
      ledger: FLASH_STOCK - FLASH_QUANTITY,
    });
    // Webhooks: never two bodies for one webhook-id; every order event delivered; nothing left pending.
    expect([...bodies].filter(([, set]) => set.size > 1).map(([id]) => id)).toEqual([]);
    expect(missingEvents).toEqual([]);
    expect(pendingOf(settled)).toEqual({
      orders: [],
      payments: [],
      deliveries: [],
      undelivered: [],
      idempotencyKeys: [],
      holds: [],
    });
  }, 1_200_000);
});

function pad(n: number): string {
  return String(n).padStart(6);
}

function count(orders: Order[], status: string): number {
  return orders.filter((o) => o.status === status).length;
}
