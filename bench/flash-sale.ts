// `npm run bench -- flash-sale`: a flash-sale storm through the gateway of the real platform (`npm start`'s stack on
// free ports). One SKU with 1,000 units in a flash sale (per-shopper limit 1); 20,000 reservation attempts from
// 2,000 signed-in shoppers (guest shopper sessions opened through the gateway) at 200 concurrent connections.
// Baseline in the same run: the same storm against the naive path (checkout's benchmark-only route, switched on
// with BENCH_NAIVE_RESERVATIONS=true), one conditional `UPDATE skus SET stock = stock - ? WHERE … AND stock >= ?`
// in libSQL per request on another SKU with 1,000 units.
// Then every hold is paid: cart, checkout and a sandbox payment per hold, and the counts must add up: 1,000 paid
// orders, the sale sold out, and the SKU's stock equal to the sum of its inventory ledger.
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { cpuSecondsByRole, cpuSnapshot, LIBSQL_SERVER, WORKERD } from "./cpu.ts";
import { withPlatform } from "./platform.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const units = 1000;
const shoppers = Number(process.env.BENCH_FLASH_SHOPPERS ?? 2000);
const attempts = Number(process.env.BENCH_FLASH_ATTEMPTS ?? 20_000);
const clients = Number(process.env.BENCH_FLASH_CLIENTS ?? 200);

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
}

async function storm(
  name: string,
  url: string,
  tokens: string[],
  publishableKey: string,
  request: { quantity: number } = { quantity: 1 },
): Promise<Storm> {
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
  return withPlatform("flash", async (platform) => {
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
        ],
      }),
    );
    const [flashSku, naiveSku, decideObjectSku, decideNaiveSku] = (product.skus as { id: string }[]).map((s) => s.id);
    const sale = (skuId: string | undefined) =>
      post(`${gw}/v1/flash-sales`, secret, {
        skuId,
        quantity: units,
        price: { amount: 4900, currency: "CNY" },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perShopperLimit: 1,
      });
    const flash = await expectCreated("flash sale", await sale(flashSku));
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

    // Warm-up, not measured: the gateway and the checkout Worker compile their hot code before the first storm.
    await storm("warm-up", `${gw}/v1/flash-sales/${flash.id}/reservations`, tokens, merchant.publishableKey, {
      quantity: 0,
    });
    const naiveRun = await storm(
      "naive: conditional UPDATE in libSQL",
      `${gw}/v1/flash-sales/${naive.id}/naive-reservations`,
      tokens,
      merchant.publishableKey,
    );
    const flashRun = await storm(
      "POST /v1/flash-sales/{id}/reservations",
      `${gw}/v1/flash-sales/${flash.id}/reservations`,
      tokens,
      merchant.publishableKey,
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
    ];
    const paidOrders = await countPaidOrders(gw, secret);
    const ledger = await ledgerSum(gw, secret, flashSku ?? "");
    const flashStock = productNow.skus.find((s) => s.id === flashSku)?.stock ?? Number.NaN;
    const settled = [
      "| holds | paid orders (this run) | failed | merchant's paid orders | sale stock left | SKU stock | SKU ledger sum | ledger adds up |",
      "|---:|---:|---:|---:|---:|---:|---:|---|",
      `| ${flashRun.holds.length} | ${paid.paid} | ${JSON.stringify(paid.failed)} | ${paidOrders} | ${saleNow.stockLeft} | ${flashStock} | ${ledger} | ${ledger === flashStock ? "yes" : "NO"} |`,
    ];
    return [
      "## flash-sale: a reservation storm through the gateway",
      "",
      `${attempts.toLocaleString("en-US")} reservation attempts (quantity 1, each with its own Idempotency-Key) from ${shoppers.toLocaleString("en-US")} shoppers (guest shopper sessions, bearer tokens checked by the gateway) at ${clients} concurrent connections, against one sale of ${units.toLocaleString("en-US")} units (per-shopper limit 1), on \`npm start\`'s stack (every Worker's deploy bundle in one workerd) and the local libSQL server; the client shares the machine's cores. Baseline: the same storm against the naive path, one conditional \`UPDATE skus SET stock = stock - ? WHERE … AND stock >= ?\` in libSQL per request, on a SKU with ${units.toLocaleString("en-US")} units.`,
      "",
      table([
        { row: flashRun.row, baseline: naiveRun.row },
        { row: frontRun.row, baseline: naiveRun.row },
        { row: floorRun.row, baseline: naiveRun.row },
      ]),
      "",
      `The front row is what both paths pay before any decision: the gateway (bearer token, publishable key, forward) and the checkout Worker, refusing \`quantity: 0\` by validation. The last row is the runtime's own floor on this machine: a Worker that answers every request with a constant, alone in a workerd of its own, driven by the same client; no path through workerd here can go faster. CPU per attempt, read from /proc while each storm ran (workerd serves the gateway, the checkout Worker and the object on one thread, so 1 s ÷ its CPU per attempt is the most that path can do here; the database server runs on the other core):`,
      "",
      cpuTable([
        { name: "front (refused by validation)", storm: frontRun },
        { name: "object (FlashSaleStock)", storm: flashRun, decides: true },
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
      `Then every hold is paid, ${paid.clients} shoppers at a time: a cart, the hold as its line, checkout with an Idempotency-Key and a sandbox payment (4 requests an order): ${paid.row.opsPerSecond.toFixed(1)} paid orders/s, p50 ${paid.row.p50.toFixed(0)} ms, p99 ${paid.row.p99.toFixed(0)} ms an order.`,
      "",
      settled.join("\n"),
    ].join("\n");
  });
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
async function payAll(
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
