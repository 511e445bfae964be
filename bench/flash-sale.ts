// `npm run bench -- flash-sale`: a flash-sale storm through the gateway of the real platform (`npm start`'s stack on
// free ports). One SKU with 1,000 units in a flash sale (per-shopper limit 1); 20,000 reservation attempts from
// 2,000 signed-in shoppers (guest shopper sessions opened through the gateway) at 200 concurrent connections.
// Baseline in the same run: the same storm against the naive path (checkout's benchmark-only route, switched on
// with BENCH_NAIVE_RESERVATIONS=true), one conditional `UPDATE skus SET stock = stock - ? WHERE … AND stock >= ?`
// in libSQL per request on another SKU with 1,000 units.
// The same storm on a sale spread over 16 shards, and again on 16 shards with the whole platform killed (SIGKILL)
// mid-storm and started again on its data while the clients retry with their keys. While each storm runs, a second
// merchant's catalogue reads and checkouts are timed (what the storm costs its neighbours on the shared database).
// Then every hold is paid: cart, checkout and a sandbox payment per hold, and the counts must add up: 1,000 paid
// orders, the sale sold out, and the SKU's stock equal to the sum of its inventory ledger.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { type Platform, startPlatform } from "../dev/platform.ts";
import { freePort } from "../dev/ports.ts";
import { cpuSecondsByRole, cpuSnapshot, LIBSQL_SERVER, WORKERD } from "./cpu.ts";
import { withPlatform } from "./platform.ts";
import { measure, percentile, type Row, summarise, table } from "./stats.ts";

const units = 1000;
const shoppers = Number(process.env.BENCH_FLASH_SHOPPERS ?? 2000);
const attempts = Number(process.env.BENCH_FLASH_ATTEMPTS ?? 20_000);
const clients = Number(process.env.BENCH_FLASH_CLIENTS ?? 200);
const shardCount = Number(process.env.BENCH_FLASH_SHARDS ?? 16);

async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function expectCreated(what: string, result: { status: number; json: unknown }) {
  if (result.status !== 201) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json as Record<string, unknown>;
}

interface Storm {
  row: Row;
  granted: number;
  /** Each hold granted, with the token of the shopper it belongs to. */
  holds: { holdId: string; token: string }[];
  refused: Record<string, number>;
  /** CPU microseconds an attempt in workerd and in the libSQL server. */
  cpu: { workerd: number; database: number };
  /** The second merchant's requests timed while the storm ran (when a neighbour was given). */
  neighbour?: NeighbourTimes;
}

interface NeighbourTimes {
  reads: number[];
  checkouts: number[];
  failed: number;
}

/** A second merchant's shop: its own product (read with its secret key, never from the edge cache) and a shopper. */
interface Neighbour {
  gw: string;
  productId: string;
  skuId: string;
  secretKey: string;
  publishableKey: string;
  token: string;
}

/**
 * Times the neighbour's requests, two loops (a product read; a cart, line and checkout) one request at a time, until
 * `during` ends: what a storm on one sale costs another merchant whose requests share the database.
 */
async function withNeighbour<T>(
  neighbour: Neighbour,
  during: () => Promise<T>,
): Promise<{ result: T; times: NeighbourTimes }> {
  const times: NeighbourTimes = { reads: [], checkouts: [], failed: 0 };
  let done = false;
  const shopperHeaders = { authorization: `Bearer ${neighbour.token}`, "x-publishable-key": neighbour.publishableKey };
  const reads = (async () => {
    while (!done) {
      const t = performance.now();
      const res = await fetch(`${neighbour.gw}/v1/products/${neighbour.productId}`, {
        headers: { authorization: `Bearer ${neighbour.secretKey}` },
      });
      await res.arrayBuffer();
      if (res.status === 200) times.reads.push(performance.now() - t);
      else times.failed++;
    }
  })();
  let n = 0;
  const checkouts = (async () => {
    while (!done) {
      const cart = await post(`${neighbour.gw}/v1/carts`, shopperHeaders, {});
      const cartId = (cart.json as { id?: string } | null)?.id;
      const line = cartId
        ? await post(`${neighbour.gw}/v1/carts/${cartId}/lines`, shopperHeaders, {
            skuId: neighbour.skuId,
            quantity: 1,
          })
        : null;
      if (!cartId || line?.status !== 200) {
        times.failed++;
        continue;
      }
      const t = performance.now();
      const order = await post(
        `${neighbour.gw}/v1/carts/${cartId}/checkout`,
        { ...shopperHeaders, "idempotency-key": `neighbour-${Date.now()}-${n++}` },
        {},
      );
      if (order.status === 201) times.checkouts.push(performance.now() - t);
      else times.failed++;
    }
  })();
  try {
    return { result: await during(), times };
  } finally {
    done = true;
    await Promise.all([reads, checkouts]);
  }
}

export async function storm(
  name: string,
  url: string,
  tokens: string[],
  publishableKey: string,
  request: { quantity: number } = { quantity: 1 },
  neighbour?: Neighbour,
): Promise<Storm> {
  if (neighbour) {
    const { result, times } = await withNeighbour(neighbour, () => storm(name, url, tokens, publishableKey, request));
    return { ...result, neighbour: times };
  }
  let granted = 0;
  const holds: Storm["holds"] = [];
  const refused: Record<string, number> = {};
  const cpuBefore = await cpuSnapshot();
  const result = await measure(name, clients, attempts, async (_client, i) => {
    const token = tokens[i % tokens.length] ?? "";
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-publishable-key": publishableKey,
        "idempotency-key": `bench-${name.replaceAll(/[^A-Za-z0-9]+/g, "-")}-${i}`,
      },
      body: JSON.stringify(request),
    });
    // Not every answer is ours: workerd answers in plain text when a Worker throws past its handler.
    const text = await res.text();
    let body: { code?: string; id?: string } = {};
    try {
      body = JSON.parse(text) as { code?: string; id?: string };
    } catch {
      body = { code: `non-JSON: ${text.slice(0, 40)}` };
    }
    if (res.status === 201) {
      granted++;
      if (body.id) holds.push({ holdId: body.id, token });
    } else {
      const code = `${res.status} ${body.code ?? ""}`;
      if (refused[code] === undefined) console.error(`${name}: first ${code}: ${JSON.stringify(body)}`);
      refused[code] = (refused[code] ?? 0) + 1;
    }
  });
  const cpu = cpuSecondsByRole(cpuBefore, await cpuSnapshot());
  const perAttempt = (role: string) => ((cpu.get(role) ?? 0) * 1_000_000) / attempts;
  return {
    row: summarise(result),
    granted,
    holds,
    refused,
    cpu: { workerd: perAttempt(WORKERD), database: perAttempt(LIBSQL_SERVER) },
  };
}

export async function benchFlashSale(): Promise<string> {
  process.env.BENCH_NAIVE_RESERVATIONS = "true";
  // Every shopper session of the run must outlive it (the default, 15 minutes, is shorter than a run here).
  process.env.ACCESS_TOKEN_TTL_SECONDS = "7200";
  // Every hold must still be held when its turn to be paid comes, after all the storms of the run.
  process.env.HOLD_TTL_SECONDS = "7200";
  const main = await withPlatformRetry("flash", async (platform) => {
    const gw = platform.gatewayUrl;
    const merchant = platform.credentials.merchants[0];
    if (!merchant) throw new Error("no demo merchant");
    const secret = { authorization: `Bearer ${merchant.secretKey}` };
    const product = await expectCreated(
      "product",
      await post(`${gw}/v1/products`, secret, {
        title: "Bench lipstick",
        status: "active",
        skus: [
          { options: { lane: "flash" }, price: { amount: 8900, currency: "CNY" }, stock: units },
          { options: { lane: "naive" }, price: { amount: 8900, currency: "CNY" }, stock: 2 * units },
          { options: { lane: "decide-object" }, price: { amount: 8900, currency: "CNY" }, stock: units },
          { options: { lane: "decide-naive" }, price: { amount: 8900, currency: "CNY" }, stock: 2 * units },
          { options: { lane: "sharded" }, price: { amount: 8900, currency: "CNY" }, stock: units },
        ],
      }),
    );
    const [flashSku, naiveSku, decideObjectSku, decideNaiveSku, shardedSku] = (product.skus as { id: string }[]).map(
      (s) => s.id,
    );
    const sale = (skuId: string | undefined, shards = 1) =>
      post(`${gw}/v1/flash-sales`, secret, {
        skuId,
        quantity: units,
        price: { amount: 4900, currency: "CNY" },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perShopperLimit: 1,
        shards,
      });
    const flash = await expectCreated("flash sale", await sale(flashSku));
    const sharded = await expectCreated("sharded flash sale", await sale(shardedSku, shardCount));
    // The naive lane's sale takes 1,000 of its SKU's 2,000: the naive path then races for the other 1,000.
    const naive = await expectCreated("naive lane sale", await sale(naiveSku));
    const decideObject = await expectCreated("decision lane sale", await sale(decideObjectSku));
    const decideNaive = await expectCreated("naive decision lane sale", await sale(decideNaiveSku));

    const tokens: string[] = [];
    await measure("sessions", 32, shoppers, async () => {
      const session = await expectCreated(
        "shopper session",
        await post(`${gw}/v1/shopper-sessions`, { "x-publishable-key": merchant.publishableKey }, {}),
      );
      tokens.push(String(session.accessToken));
    });
    const neighbour = await neighbourShop(gw, platform);

    // Warm-up, not measured: the gateway and the checkout Worker compile their hot code before the first storm.
    await storm("warm-up", `${gw}/v1/flash-sales/${flash.id}/reservations`, tokens, merchant.publishableKey, {
      quantity: 0,
    });
    // The neighbour alone first: its requests with no storm running.
    const idle = await withNeighbour(neighbour, () => new Promise((r) => setTimeout(r, 15_000)));
    const naiveRun = await storm(
      "naive: conditional UPDATE in libSQL",
      `${gw}/v1/flash-sales/${naive.id}/naive-reservations`,
      tokens,
      merchant.publishableKey,
      { quantity: 1 },
      neighbour,
    );
    const flashRun = await storm(
      "POST /v1/flash-sales/{id}/reservations",
      `${gw}/v1/flash-sales/${flash.id}/reservations`,
      tokens,
      merchant.publishableKey,
      { quantity: 1 },
      neighbour,
    );
    const shardedRun = await storm(
      `POST /v1/flash-sales/{id}/reservations (${shardCount} shards)`,
      `${gw}/v1/flash-sales/${sharded.id}/reservations`,
      tokens,
      merchant.publishableKey,
      { quantity: 1 },
      neighbour,
    );
    // What both paths pay before any decision: the gateway (token, key, forward) and the checkout Worker, which
    // refuses quantity 0 by validation.
    const frontRun = await storm(
      "front: refused by validation before the decision",
      `${gw}/v1/flash-sales/${flash.id}/reservations`,
      tokens,
      merchant.publishableKey,
      { quantity: 0 },
    );
    const floorRun = await runtimeFloor(tokens, merchant.publishableKey);

    // The stock decision alone, inside the checkout Worker: no HTTP, gateway or dev proxy in front.
    const decide = async (path: "object" | "naive", saleId: unknown) => {
      const body = { path, attempts, concurrency: clients, shoppers };
      const res = await post(`${gw}/v1/flash-sales/${saleId}/bench-decisions`, secret, body);
      if (res.status !== 200) throw new Error(`bench-decisions ${path}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json as { seconds: number; granted: number; p50: number; p99: number };
    };
    const decidedNaive = await decide("naive", decideNaive.id);
    const decidedObject = await decide("object", decideObject.id);
    const decisionRow = (name: string, d: typeof decidedObject): Row => ({
      name,
      clients,
      opsPerSecond: attempts / d.seconds,
      p50: d.p50,
      p99: d.p99,
    });

    const paid = await payAll(gw, merchant.publishableKey, String(flash.id), flashSku ?? "", flashRun.holds);
    const shardedPaid = await payAll(
      gw,
      merchant.publishableKey,
      String(sharded.id),
      shardedSku ?? "",
      shardedRun.holds,
    );
    const shardedNow = (await (await fetch(`${gw}/v1/flash-sales/${sharded.id}`, { headers: secret })).json()) as {
      stockLeft: number;
      shardStock: { held: number; committed: number }[];
    };

    const saleNow = (await (await fetch(`${gw}/v1/flash-sales/${flash.id}`)).json()) as { stockLeft: number };
    const productNow = (await (await fetch(`${gw}/v1/products/${product.id}`, { headers: secret })).json()) as {
      skus: { id: string; stock: number }[];
    };
    const naiveStock = productNow.skus.find((s) => s.id === naiveSku)?.stock ?? Number.NaN;
    const counts = [
      "| path | attempts | granted | oversold | stock left | refusals |",
      "|---|---:|---:|---:|---:|---|",
      `| flash sale (FlashSaleStock object) | ${attempts} | ${flashRun.granted} | ${Math.max(0, flashRun.granted - units)} | ${saleNow.stockLeft} | ${JSON.stringify(flashRun.refused)} |`,
      `| naive (UPDATE … WHERE stock >= ?) | ${attempts} | ${naiveRun.granted} | ${Math.max(0, naiveRun.granted - units)} | ${naiveStock} | ${JSON.stringify(naiveRun.refused)} |`,
      `| flash sale, ${shardCount} shards | ${attempts} | ${shardedRun.granted} | ${Math.max(0, shardedRun.granted - units)} | ${shardedNow.stockLeft} | ${JSON.stringify(shardedRun.refused)} |`,
    ];
    const paidOrders = await countPaidOrders(gw, secret);
    const ledger = await ledgerSum(gw, secret, flashSku ?? "");
    const flashStock = productNow.skus.find((s) => s.id === flashSku)?.stock ?? Number.NaN;
    const shardedLedger = await ledgerSum(gw, secret, shardedSku ?? "");
    const shardedStock = productNow.skus.find((s) => s.id === shardedSku)?.stock ?? Number.NaN;
    const committed = shardedNow.shardStock.reduce((n, s) => n + s.committed, 0);
    const settled = [
      "| sale | holds | paid orders (this run) | failed | shoppers over the limit | sale stock left | units in orders (shards' committed) | SKU stock | SKU ledger sum | ledger adds up |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      `| 1 object | ${flashRun.holds.length} | ${paid.paid} | ${JSON.stringify(paid.failed)} | ${overLimit(flashRun.holds)} | ${saleNow.stockLeft} | – | ${flashStock} | ${ledger} | ${ledger === flashStock ? "yes" : "NO"} |`,
      `| ${shardCount} shards | ${shardedRun.holds.length} | ${shardedPaid.paid} | ${JSON.stringify(shardedPaid.failed)} | ${overLimit(shardedRun.holds)} | ${shardedNow.stockLeft} | ${committed} | ${shardedStock} | ${shardedLedger} | ${shardedLedger === shardedStock ? "yes" : "NO"} |`,
    ];
    settled.push("", `The merchant's paid orders in all (both sales): ${paidOrders}.`);
    const neighbourRows = [
      "| while | catalogue reads | read p50 ms | read p99 ms | checkouts | checkout p50 ms | checkout p99 ms | failed |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      neighbourRow("no storm (15 s)", idle.times),
      ...[
        { name: "the naive storm", run: naiveRun },
        { name: "the object storm (1 object)", run: flashRun },
        { name: `the object storm (${shardCount} shards)`, run: shardedRun },
      ].map(({ name, run }) => (run.neighbour ? neighbourRow(name, run.neighbour) : "")),
    ];

    return [
      "## flash-sale: a reservation storm through the gateway",
      "",
      `${attempts.toLocaleString("en-US")} reservation attempts (quantity 1, each with its own Idempotency-Key) from ${shoppers.toLocaleString("en-US")} shoppers (guest shopper sessions, bearer tokens checked by the gateway) at ${clients} concurrent connections, against one sale of ${units.toLocaleString("en-US")} units (per-shopper limit 1), on \`npm start\`'s stack (every Worker's deploy bundle in one workerd) and the local libSQL server; the client shares the machine's cores. Baseline: the same storm against the naive path, one conditional \`UPDATE skus SET stock = stock - ? WHERE … AND stock >= ?\` in libSQL per request, on a SKU with ${units.toLocaleString("en-US")} units.`,
      "",
      table([
        { row: flashRun.row, baseline: naiveRun.row },
        { row: shardedRun.row, baseline: naiveRun.row },
        { row: frontRun.row, baseline: naiveRun.row },
        { row: floorRun.row, baseline: naiveRun.row },
      ]),
      "",
      `The front row is what both paths pay before any decision: the gateway (bearer token, publishable key, forward) and the checkout Worker, refusing \`quantity: 0\` by validation. The last row is the runtime's own floor on this machine: a Worker that answers every request with a constant, alone in a workerd of its own, driven by the same client; no path through workerd here can go faster. CPU per attempt, read from /proc while each storm ran (workerd serves the gateway, the checkout Worker and the object on one thread, so 1 s ÷ its CPU per attempt is the most that path can do here; the database server runs on the other core):`,
      "",
      cpuTable([
        { name: "front (refused by validation)", storm: frontRun },
        { name: "object (FlashSaleStock)", storm: flashRun, decides: true },
        { name: `object, ${shardCount} shards`, storm: shardedRun, decides: true },
        { name: "naive (UPDATE in libSQL)", storm: naiveRun, decides: true },
        { name: "empty Worker (the runtime's floor)", storm: floorRun },
      ]),
      "",
      `The decision alone, made inside the checkout Worker (benchmark-only route \`POST /v1/flash-sales/{id}/bench-decisions\`: ${attempts.toLocaleString("en-US")} one-unit decisions from ${clients} concurrent loops for ${shoppers.toLocaleString("en-US")} shoppers, with no HTTP, gateway or dev proxy in front; the Worker's clock advances at each I/O), each on a fresh sale of ${units.toLocaleString("en-US")} units:`,
      "",
      table([
        {
          row: decisionRow(`object: RPC to FlashSaleStock (granted ${decidedObject.granted})`, decidedObject),
          baseline: decisionRow(`naive: UPDATE in libSQL (granted ${decidedNaive.granted})`, decidedNaive),
        },
      ]),
      "",
      counts.join("\n"),
      "",
      `What the storms cost the shared database's neighbours: a second merchant's product read (its secret key, never the edge cache) and its shopper's checkout (cart and line first, the checkout timed), one request at a time each, while each storm ran (the database server's CPU an attempt is in the table above):`,
      "",
      neighbourRows.join("\n"),
      "",
      `Then every hold is paid, ${paid.clients} shoppers at a time: a cart, the hold as its line, checkout with an Idempotency-Key and a sandbox payment (4 requests an order): ${paid.row.opsPerSecond.toFixed(1)} paid orders/s, p50 ${paid.row.p50.toFixed(0)} ms, p99 ${paid.row.p99.toFixed(0)} ms an order (one object; ${shardedPaid.row.opsPerSecond.toFixed(1)}/s for the ${shardCount}-shard sale).`,
      "",
      settled.join("\n"),
    ].join("\n");
  });
  // The restart run needs two more platform starts: if one cannot start here, the figures above still stand.
  const restart = await stormThroughRestart().catch(
    (err: unknown) => `The storm through a restart did not run: ${String(err).slice(0, 300)}`,
  );
  return `${main}\n\n${restart}`;
}

/** Shoppers holding more than one unit (the limit is 1): must be 0. */
export function overLimit(holds: Storm["holds"]): number {
  const byShopper = new Map<string, number>();
  for (const { token } of holds) byShopper.set(token, (byShopper.get(token) ?? 0) + 1);
  return [...byShopper.values()].filter((n) => n > 1).length;
}

export function neighbourRow(name: string, times: NeighbourTimes): string {
  const at = (values: number[], p: number) =>
    percentile(
      [...values].sort((a, b) => a - b),
      p,
    ).toFixed(1);
  return `| ${name} | ${times.reads.length} | ${at(times.reads, 50)} | ${at(times.reads, 99)} | ${times.checkouts.length} | ${at(times.checkouts, 50)} | ${at(times.checkouts, 99)} | ${times.failed} |`;
}

/** The second demo merchant's shop: a product with plenty of stock, and one of its storefront's shoppers. */
export async function neighbourShop(gw: string, platform: Platform): Promise<Neighbour> {
  const other = platform.credentials.merchants[1];
  if (!other) throw new Error("no second demo merchant");
  const product = await expectCreated(
    "neighbour's product",
    await post(
      `${gw}/v1/products`,
      { authorization: `Bearer ${other.secretKey}` },
      {
        title: "Neighbour's serum",
        status: "active",
        skus: [{ options: { size: "30ml" }, price: { amount: 12900, currency: "CNY" }, stock: 1_000_000 }],
      },
    ),
  );
  const session = await expectCreated(
    "neighbour's shopper",
    await post(`${gw}/v1/shopper-sessions`, { "x-publishable-key": other.publishableKey }, {}),
  );
  return {
    gw,
    productId: String(product.id),
    skuId: (product.skus as { id: string }[])[0]?.id ?? "",
    secretKey: other.secretKey,
    publishableKey: other.publishableKey,
    token: String(session.accessToken),
  };
}

/**
 * The same storm against a Worker that answers every request with a constant 400, alone in a workerd of its own
 * (the platform's sits idle meanwhile): what any request costs workerd on this machine before a line of ours runs.
 */
async function runtimeFloor(tokens: string[], publishableKey: string): Promise<Storm> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      compatibilityDate: "2026-11-09",
      modules: true,
      script: `export default {
        fetch: () => new Response('{"code":"empty"}', { status: 400, headers: { "content-type": "application/problem+json" } }),
      };`,
    }),
  );
  try {
    const url = await mf.ready;
    return await storm("empty Worker: a constant answer", new URL("/", url).toString(), tokens, publishableKey);
  } finally {
    await mf.dispose();
  }
}

/** CPU per attempt by part of the stack, and what is left of each path's once the front's is taken off. */
function cpuTable(rows: { name: string; storm: Storm; decides?: boolean }[]): string {
  const us = (n: number) => Math.round(n).toLocaleString("en-US");
  const front = rows[0]?.storm.cpu.workerd ?? 0;
  const lines = [
    "| path | req/s | workerd CPU µs an attempt | of it beyond the front | database server CPU µs an attempt | 1 s ÷ workerd CPU |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const { name, storm, decides } of rows) {
    const { workerd, database } = storm.cpu;
    lines.push(
      `| ${name} | ${us(storm.row.opsPerSecond)} | ${us(workerd)} | ${decides ? us(workerd - front) : "–"} | ${us(database)} | ${us(1_000_000 / workerd)}/s |`,
    );
  }
  return lines.join("\n");
}

const payClients = 32;

/** Pays every hold: cart, line, checkout, sandbox payment; counts paid orders and failures by step and status. */
export async function payAll(
  gw: string,
  publishableKey: string,
  flashSaleId: string,
  skuId: string,
  holds: Storm["holds"],
): Promise<{ paid: number; failed: Record<string, number>; row: Row; clients: number }> {
  let paid = 0;
  const failed: Record<string, number> = {};
  const result = await measure("pay every hold", payClients, holds.length, async (_client, i) => {
    const { holdId, token } = holds[i] ?? { holdId: "", token: "" };
    const headers = { authorization: `Bearer ${token}`, "x-publishable-key": publishableKey };
    const step = async (name: string, path: string, body: unknown, expected: number, key = false) => {
      const res = await post(
        `${gw}${path}`,
        key ? { ...headers, "idempotency-key": `pay-${name}-${holdId}` } : headers,
        body,
      );
      if (res.status !== expected) {
        const why = `${name} ${res.status} ${(res.json as { code?: string } | null)?.code ?? ""}`;
        if (failed[why] === undefined) console.error(`pay every hold: first ${why}: ${JSON.stringify(res.json)}`);
        failed[why] = (failed[why] ?? 0) + 1;
        return null;
      }
      return res.json as Record<string, unknown>;
    };
    const cart = await step("cart", "/v1/carts", {}, 201);
    if (!cart) return;
    const line = await step("line", `/v1/carts/${cart.id}/lines`, { skuId, flashSaleId, holdId }, 200);
    if (!line) return;
    const order = await step("checkout", `/v1/carts/${cart.id}/checkout`, {}, 201, true);
    const paymentId = (order?.payment as { id?: string } | null)?.id;
    if (!paymentId) return;
    const outcome = await step("pay", `/v1/payments/${paymentId}/sandbox`, { outcome: "succeed" }, 200, true);
    if ((outcome?.payment as { status?: string } | undefined)?.status === "succeeded") paid++;
  });
  return { paid, failed, row: summarise(result), clients: payClients };
}

/** Every item of a cursor-paginated list. */
async function listAll<T>(url: string, headers: Record<string, string>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (
      await fetch(
        `${url}${url.includes("?") ? "&" : "?"}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        {
          headers,
        },
      )
    ).json()) as { data: T[]; nextCursor: string | null };
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The merchant's paid orders, counted through the list API. */
const countPaidOrders = async (gw: string, secret: Record<string, string>) =>
  (await listAll(`${gw}/v1/orders?status=paid`, secret)).length;

/** The sum of a SKU's inventory ledger, which must equal its stock. */
const ledgerSum = async (gw: string, secret: Record<string, string>, skuId: string) =>
  (await listAll<{ delta: number }>(`${gw}/v1/skus/${skuId}/inventory-adjustments`, secret)).reduce(
    (total, entry) => total + entry.delta,
    0,
  );

/**
 * A platform start that failed before anything of ours ran (on a busy machine the demo seed can meet a busy
 * database) is tried again, twice at most.
 */
export async function withPlatformRetry<T>(name: string, run: (platform: Platform) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let started = false;
    try {
      return await withPlatform(name, (platform) => {
        started = true;
        return run(platform);
      });
    } catch (err) {
      if (started || attempt >= 3) throw err;
      console.error(`${name}: the platform did not start (${String(err).slice(0, 200)}); starting it again`);
    }
  }
}

async function startWithRetry(options: Parameters<typeof startPlatform>[0]): Promise<Platform> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPlatform(options);
    } catch (err) {
      if (attempt >= 5) throw err;
      console.error(`the platform did not start (${String(err).slice(0, 200)}); starting it again`);
      await killPlatform();
    }
  }
}

/** This process's descendants (the platform: workerd, the libSQL server, the bundles' host), from /proc. */
async function descendants(): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (stat) parents.set(Number(entry), ppid);
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!ours.has(pid) && ours.has(ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  ours.delete(process.pid);
  return [...ours];
}

/** SIGKILL to every process of the platform (by pid: only what this benchmark started). */
async function killPlatform(): Promise<number> {
  const pids = await descendants();
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/**
 * The 16-shard storm again, with the whole platform killed (SIGKILL, every process) when 40% of the attempts have
 * started, then started again on the same data folder and ports. Clients do what real ones do: after a connection
 * error or a 5xx they send the same request with the same Idempotency-Key until answered. Afterwards: exactly the
 * allotment held (one hold id per granted attempt, replays included), nobody over the limit, every hold paid.
 */
async function stormThroughRestart(): Promise<string> {
  process.env.RATE_LIMITS = "off";
  const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-restart-"));
  const options = { port: await freePort(), libsqlPort: await freePort(), dataDir, stdio: "ignore" as const };
  let platform = await startWithRetry(options);
  try {
    const gw = platform.gatewayUrl;
    const merchant = platform.credentials.merchants[0];
    if (!merchant) throw new Error("no demo merchant");
    const secret = { authorization: `Bearer ${merchant.secretKey}` };
    const product = await expectCreated(
      "product",
      await post(`${gw}/v1/products`, secret, {
        title: "Bench lipstick (restart)",
        status: "active",
        skus: [{ options: { lane: "restart" }, price: { amount: 8900, currency: "CNY" }, stock: units }],
      }),
    );
    const skuId = (product.skus as { id: string }[])[0]?.id ?? "";
    const sale = await expectCreated(
      "sale",
      await post(`${gw}/v1/flash-sales`, secret, {
        skuId,
        quantity: units,
        price: { amount: 4900, currency: "CNY" },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perShopperLimit: 1,
        shards: shardCount,
      }),
    );
    const tokens: string[] = [];
    await measure("sessions", 32, shoppers, async () => {
      const session = await expectCreated(
        "shopper session",
        await post(`${gw}/v1/shopper-sessions`, { "x-publishable-key": merchant.publishableKey }, {}),
      );
      tokens.push(String(session.accessToken));
    });

    const holds = new Map<string, string>();
    const answered: Record<string, number> = {};
    let retries = 0;
    let restarting: Promise<void> | null = null;
    let killedAt = 0;
    let upAgainAfterMs = 0;
    const killAt = Math.floor(attempts * 0.4);
    const result = await measure("storm through a restart", clients, attempts, async (_client, i) => {
      if (i === killAt) {
        restarting = (async () => {
          killedAt = performance.now();
          await killPlatform();
          platform = await startWithRetry(options);
          upAgainAfterMs = performance.now() - killedAt;
        })();
      }
      const token = tokens[i % tokens.length] ?? "";
      // Longer than a restart on a busy machine (a start may take a few tries).
      const deadline = Date.now() + 900_000;
      for (;;) {
        try {
          const res = await fetch(`${gw}/v1/flash-sales/${sale.id}/reservations`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${token}`,
              "x-publishable-key": merchant.publishableKey,
              "idempotency-key": `restart-${i}`,
            },
            body: JSON.stringify({ quantity: 1 }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json().catch(() => ({}))) as { id?: string; code?: string };
          if (res.status >= 500) throw new Error(`${res.status}`);
          const code = `${res.status} ${body.code ?? ""}`.trim();
          answered[code] = (answered[code] ?? 0) + 1;
          if (res.status === 201 && body.id) holds.set(body.id, token);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          retries++;
          await (restarting ?? new Promise((r) => setTimeout(r, 250)));
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });
    await restarting;
    const holdList = [...holds].map(([holdId, token]) => ({ holdId, token }));
    const paid = await payAll(gw, merchant.publishableKey, String(sale.id), skuId, holdList);
    const saleNow = (await (await fetch(`${gw}/v1/flash-sales/${sale.id}`, { headers: secret })).json()) as {
      stockLeft: number;
      shardStock: { held: number; committed: number; available: number }[];
    };
    const held = saleNow.shardStock.reduce((n, s) => n + s.held, 0);
    const committed = saleNow.shardStock.reduce((n, s) => n + s.committed, 0);
    const productNow = (await (await fetch(`${gw}/v1/products/${product.id}`, { headers: secret })).json()) as {
      skus: { id: string; stock: number }[];
    };
    const stock = productNow.skus[0]?.stock ?? Number.NaN;
    const ledger = await ledgerSum(gw, secret, skuId);
    const row = summarise(result);
    return [
      `The ${shardCount}-shard storm again (${attempts.toLocaleString("en-US")} attempts, ${clients} connections, ${shoppers.toLocaleString("en-US")} shoppers, ${units.toLocaleString("en-US")} units, limit 1), on a platform of its own: when attempt ${killAt.toLocaleString("en-US")} started, every process of the platform was killed with SIGKILL and the platform started again on the same data folder and ports (up again after ${(upAgainAfterMs / 1000).toFixed(1)} s). Clients resend the same request with the same Idempotency-Key after a connection error or a 5xx (${retries.toLocaleString("en-US")} resends). Then every hold is paid.`,
      "",
      "| attempts | answers by status | distinct holds granted | oversold | shoppers over the limit | held + committed on the shards | paid orders | failed payments | sale stock left | SKU stock | SKU ledger sum | p50 ms | p99 ms |",
      "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
      `| ${attempts} | ${JSON.stringify(answered)} | ${holds.size} | ${Math.max(0, holds.size - units)} | ${overLimit(holdList)} | ${held + committed} | ${paid.paid} | ${JSON.stringify(paid.failed)} | ${saleNow.stockLeft} | ${stock} | ${ledger} | ${row.p50.toFixed(0)} | ${row.p99.toFixed(0)} |`,
    ].join("\n");
  } finally {
    await platform.stop().catch(() => undefined);
    await killPlatform();
    await rm(dataDir, { recursive: true, force: true });
  }
}
