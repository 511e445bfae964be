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
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { type Platform, startPlatform } from "../dev/platform.ts";
import { freePort } from "../dev/ports.ts";
import type { Output } from "../dev/runtime.ts";
import { cpuSecondsByRole, cpuSnapshot, LIBSQL_SERVER, ourProcessTree, WORKERD } from "./cpu.ts";
import { expectStatus, post, withPlatform } from "./platform.ts";
import { createFlashSale, createProduct, demoMerchant, shopperTokens } from "./shop.ts";
import { measure, percentile, type Row, summarise, table } from "./stats.ts";

const units = 1000;
const shoppers = Number(process.env.BENCH_FLASH_SHOPPERS ?? 2000);
const attempts = Number(process.env.BENCH_FLASH_ATTEMPTS ?? 20_000);
const clients = Number(process.env.BENCH_FLASH_CLIENTS ?? 200);
const shardCount = Number(process.env.BENCH_FLASH_SHARDS ?? 16);

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
      const cartId = cart.json?.id;
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
    const { merchant, secret } = demoMerchant(platform);
    // One SKU a lane; the naive lanes' SKUs hold twice the sale's units (see their sales below).
    const lanes = ["flash", "naive", "decide-object", "decide-naive", "sharded"];
    const product = await createProduct(
      gw,
      secret,
      "Bench lipstick",
      lanes.map((lane) => ({ options: { lane }, price: 8900, stock: lane.includes("naive") ? 2 * units : units })),
    );
    const [flashSku = "", naiveSku = "", decideObjectSku = "", decideNaiveSku = "", shardedSku = ""] = product.skuIds;
    const sale = (skuId: string, shards = 1) =>
      createFlashSale(gw, secret, { skuId, quantity: units, price: 4900, shards });
    const flash = await sale(flashSku);
    const sharded = await sale(shardedSku, shardCount);
    // The naive lane's sale takes 1,000 of its SKU's 2,000: the naive path then races for the other 1,000.
    const naive = await sale(naiveSku);
    const decideObject = await sale(decideObjectSku);
    const decideNaive = await sale(decideNaiveSku);

    const tokens = await shopperTokens(gw, merchant.publishableKey, shoppers, 32);
    const neighbour = await neighbourShop(gw, platform);

    // Every storm sends the same shoppers' reservations; beside the sales' storms, the neighbour's requests are timed.
    const stormOn = (name: string, url: string, quantity: number, beside?: Neighbour) =>
      storm(name, url, tokens, merchant.publishableKey, { quantity }, beside);
    const reservations = (saleId: string) => `${gw}/v1/flash-sales/${saleId}/reservations`;
    // Warm-up, not measured: the gateway and the checkout Worker compile their hot code before the first storm.
    await stormOn("warm-up", reservations(flash), 0);
    // The neighbour alone first: its requests with no storm running.
    const idle = await withNeighbour(neighbour, () => new Promise((r) => setTimeout(r, 15_000)));
    const naiveUrl = `${gw}/v1/flash-sales/${naive}/naive-reservations`;
    const naiveRun = await stormOn("naive: conditional UPDATE in libSQL", naiveUrl, 1, neighbour);
    const flashRun = await stormOn("POST /v1/flash-sales/{id}/reservations", reservations(flash), 1, neighbour);
    const shardedName = `POST /v1/flash-sales/{id}/reservations (${shardCount} shards)`;
    const shardedRun = await stormOn(shardedName, reservations(sharded), 1, neighbour);
    // What both paths pay before any decision: the gateway (token, key, forward) and the checkout Worker, which
    // refuses quantity 0 by validation.
    const frontRun = await stormOn("front: refused by validation before the decision", reservations(flash), 0);
    const floorRun = await runtimeFloor(tokens, merchant.publishableKey);

    // The stock decision alone, inside the checkout Worker: no HTTP, gateway or dev proxy in front.
    const decide = async (path: "object" | "naive", saleId: string) => {
      const body = { path, attempts, concurrency: clients, shoppers };
      const res = await post(`${gw}/v1/flash-sales/${saleId}/bench-decisions`, secret, body);
      return expectStatus(`bench-decisions ${path}`, res, [200]) as {
        seconds: number;
        granted: number;
        p50: number;
        p99: number;
      };
    };
    const decidedNaive = await decide("naive", decideNaive);
    const decidedObject = await decide("object", decideObject);
    const decisionRow = (name: string, d: typeof decidedObject): Row => ({
      name,
      clients,
      opsPerSecond: attempts / d.seconds,
      p50: d.p50,
      p99: d.p99,
    });

    const paid = await payAll(gw, merchant.publishableKey, flash, flashSku, flashRun.holds);
    const shardedPaid = await payAll(gw, merchant.publishableKey, sharded, shardedSku, shardedRun.holds);
    const shardedNow = (await (await fetch(`${gw}/v1/flash-sales/${sharded}`, { headers: secret })).json()) as {
      stockLeft: number;
      shardStock: { held: number; committed: number }[];
    };

    const saleNow = (await (await fetch(`${gw}/v1/flash-sales/${flash}`)).json()) as { stockLeft: number };
    const productNow = (await (await fetch(`${gw}/v1/products/${product.id}`, { headers: secret })).json()) as {
      skus: { id: string; stock: number }[];
    };
    const stockOf = (skuId: string) => productNow.skus.find((s) => s.id === skuId)?.stock ?? Number.NaN;
    const counts = [
      "| path | attempts | granted | oversold | stock left | refusals |",
      "|---|---:|---:|---:|---:|---|",
      ...[
        { path: "flash sale (FlashSaleStock object)", run: flashRun, left: saleNow.stockLeft },
        { path: "naive (UPDATE … WHERE stock >= ?)", run: naiveRun, left: stockOf(naiveSku) },
        { path: `flash sale, ${shardCount} shards`, run: shardedRun, left: shardedNow.stockLeft },
      ].map(
        ({ path, run, left }) =>
          `| ${path} | ${attempts} | ${run.granted} | ${Math.max(0, run.granted - units)} | ${left} | ${JSON.stringify(run.refused)} |`,
      ),
    ];
    const paidOrders = await countPaidOrders(gw, secret);
    /** A sale's holds and their payment, beside its SKU's stock and inventory ledger (which must agree). */
    const settledRow = async (sale: string, run: Storm, pay: Paid, left: number, inOrders: string, skuId: string) => {
      const ledger = await ledgerSum(gw, secret, skuId);
      const stock = stockOf(skuId);
      return `| ${sale} | ${run.holds.length} | ${pay.paid} | ${JSON.stringify(pay.failed)} | ${overLimit(run.holds)} | ${left} | ${inOrders} | ${stock} | ${ledger} | ${ledger === stock ? "yes" : "NO"} |`;
    };
    const committed = shardedNow.shardStock.reduce((n, s) => n + s.committed, 0);
    const settled = [
      "| sale | holds | paid orders (this run) | failed | shoppers over the limit | sale stock left | units in orders (shards' committed) | SKU stock | SKU ledger sum | ledger adds up |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      await settledRow("1 object", flashRun, paid, saleNow.stockLeft, "–", flashSku),
      await settledRow(
        `${shardCount} shards`,
        shardedRun,
        shardedPaid,
        shardedNow.stockLeft,
        `${committed}`,
        shardedSku,
      ),
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
  const { merchant: other, secret } = demoMerchant(platform, 1);
  const product = await createProduct(gw, secret, "Neighbour's serum", [
    { options: { size: "30ml" }, price: 12900, stock: 1_000_000 },
  ]);
  const [token = ""] = await shopperTokens(gw, other.publishableKey, 1, 1);
  return {
    gw,
    productId: product.id,
    skuId: product.skuIds[0] ?? "",
    secretKey: other.secretKey,
    publishableKey: other.publishableKey,
    token,
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

interface Paid {
  paid: number;
  failed: Record<string, number>;
  row: Row;
  clients: number;
}

/** Pays every hold: cart, line, checkout, sandbox payment; counts paid orders and failures by step and status. */
export async function payAll(
  gw: string,
  publishableKey: string,
  flashSaleId: string,
  skuId: string,
  holds: Storm["holds"],
): Promise<Paid> {
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
export async function withPlatformRetry<T>(
  name: string,
  run: (platform: Platform) => Promise<T>,
  output?: Output,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let started = false;
    try {
      return await withPlatform(
        name,
        (platform) => {
          started = true;
          return run(platform);
        },
        output,
      );
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

/** SIGKILL to every process of the platform (by pid: only what this benchmark started). */
async function killPlatform(): Promise<number> {
  // Every descendant: the platform (workerd, the libSQL server, the bundles' host).
  const pids = [...(await ourProcessTree()).keys()].filter((pid) => pid !== process.pid);
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
    const { merchant, secret } = demoMerchant(platform);
    const product = await createProduct(gw, secret, "Bench lipstick (restart)", [
      { options: { lane: "restart" }, price: 8900, stock: units },
    ]);
    const skuId = product.skuIds[0] ?? "";
    const sale = await createFlashSale(gw, secret, { skuId, quantity: units, price: 4900, shards: shardCount });
    const tokens = await shopperTokens(gw, merchant.publishableKey, shoppers, 32);

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
          const res = await fetch(`${gw}/v1/flash-sales/${sale}/reservations`, {
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
    const paid = await payAll(gw, merchant.publishableKey, sale, skuId, holdList);
    const saleNow = (await (await fetch(`${gw}/v1/flash-sales/${sale}`, { headers: secret })).json()) as {
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
