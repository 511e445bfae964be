// `npm run bench -- festival`: a festival day on the whole local platform (`npm start`'s stack on free ports, the
// rate limits off). Two phases of BENCH_FESTIVAL_SECONDS (default 60) each: a normal day at BENCH_FESTIVAL_RATE
// arrivals a second (default 8, a rate a 2-core machine shared with the load generator and other work keeps
// up with), then the festival at 3.8× that rate (RED: orders 3.8× on festival days).
//
// Open loop: arrivals are scheduled on a Poisson clock whatever the platform's answers, and the first request of each
// arrival is timed from its scheduled moment, so a slow platform shows as latency, not as fewer requests. At most
// BENCH_FESTIVAL_IN_FLIGHT arrivals run at once; an arrival beyond that is counted as shed (and printed). The
// gateway sheds load past MAX_IN_FLIGHT requests in progress (default here 24: 429 rate_limited, Retry-After: 1).
//
// The mix of arrivals (mostly browse and search, as on RED):
//   22% discover feed, 20% product page, 14% note page (the note and its comments), 22% search (Chinese queries),
//    6% stream token, 6% flash-sale reservation (a granted hold is then paid: cart, hold line, checkout, sandbox
//    payment), 3% coupon claim (60 to claim; a claimed one is applied to a cart, checked out and paid), 7% cart +
//    checkout + sandbox payment of a regular SKU.
// Browsing is half anonymous storefront reads (publishable key: the edge cache may answer) and half signed-in reads.
// Beside it, one live room: BENCH_FESTIVAL_VIEWERS real WebSockets (default 60; 3.8× in the festival), each sending
// its likes every likeIntervalMs the room tells it while tapping (BENCH_FESTIVAL_TAPPING of them at any moment,
// default 20%), and 1 comment a second per 200 viewers (timed from the send to the sender's copy of the broadcast). A merchant webhook endpoint on a local receiver takes every order event
// (2% of first deliveries answered 500, so retries are exercised).
//
// Afterwards, from the database file: every checkout answered 201 has its order; paid orders match succeeded
// payments; each SKU's stock + sold = initial and equals its ledger; the flash sale's units add up; every order
// event written was delivered (first 200 per webhook-id), duplicates counted. Every non-2xx is classified by its
// problem `code`: sold_out, limit_exceeded, rate_limited, sale_ended and the coupon refusals are documented; anything else
// (a 500, a 503, a socket error) is unexpected and printed loudly.
import { cpus } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient } from "@libsql/client";
import { demo } from "../dev/demo.ts";
import { startWebhookReceiver } from "../test/webhook-receiver.ts";
import { coresByRole, cpuSnapshot } from "./cpu.ts";
import { flakyAnswers } from "./flaky-receiver.ts";
import { connect, type Socket } from "./live.ts";
import { type Answer, expectStatus, post, withPlatform } from "./platform.ts";
import { createFlashSale, createProduct, demoMerchant, shopperTokens } from "./shop.ts";
import { percentile } from "./stats.ts";

const normalRate = Number(process.env.BENCH_FESTIVAL_RATE ?? 8);
const festivalFactor = 3.8;
const phaseSeconds = Number(process.env.BENCH_FESTIVAL_SECONDS ?? 60);
const normalViewers = Number(process.env.BENCH_FESTIVAL_VIEWERS ?? 60);
/** The share of a room's viewers tapping like at any moment (the live bench's storm has every one tapping). */
const tapping = Number(process.env.BENCH_FESTIVAL_TAPPING ?? 0.2);
/** Comments a second per viewer in the room. */
const commentsPerViewer = 1 / 200;
const maxInFlight = Number(process.env.BENCH_FESTIVAL_IN_FLIGHT ?? 1000);
/** The gateway's load shedding (MAX_IN_FLIGHT), sized to what this shared machine serves in about a second or two. */
const gatewayInFlight = process.env.MAX_IN_FLIGHT ?? "24";
/** Setup requests (sessions, room tokens) at most this many at once, under the gateway's limit. */
const setupBatch = 12;
const shopperCount = 400;
const flashUnits = 150;
/** The merchant's festival coupon: 10 yuan off, this many to claim (one a shopper). */
const couponQuantity = 60;
const catalogueProducts = 20;
const initialStock = 10_000;
const failEvery = 50;
const drainTimeoutMs = 120_000;
/** A request not answered by then is a failure (the client gives up, as a shopper's app would). */
const requestTimeoutMs = 30_000;

/** Documented refusals: a shopper is told no, clearly; the platform did its job. */
const refusals = new Set([
  "sold_out",
  "limit_exceeded",
  "rate_limited",
  "sale_ended",
  "coupon_exhausted",
  "coupon_limit_exceeded",
]);
const queries = [
  "精华",
  "面霜",
  "口红",
  "小黑瓶",
  "收纳",
  "眼影",
  "兰蔻",
  "完美日记",
  "护肤",
  "收纳盒",
  "双十一",
  "防晒霜",
];
const benchTitles = ["双十一限定精华", "氨基酸洗面奶", "防晒霜", "保湿面霜", "哑光口红", "收纳盒", "香水小样"];

interface RouteStats {
  /** Every answer's latency; those answered 2xx; those refused by the gateway's load shedding (429). */
  latencies: number[];
  served: number[];
  shed: number[];
  statuses: Map<string, number>;
  cacheHits: number;
}

interface Phase {
  name: string;
  rate: number;
  viewers: number;
  routes: Map<string, RouteStats>;
  unexpected: Map<string, { count: number; example: string }>;
  arrivals: number;
  shed: number;
  commentLatencies: number[];
  commentsSent: number;
  commentReceipts: number;
  commentReceiptsExpected: number;
  likesSent: number;
  seconds: number;
  cpu: Map<string, number>;
  generatorLagP99: number;
}

const newPhase = (name: string, rate: number, viewers: number): Phase => ({
  name,
  rate,
  viewers,
  routes: new Map(),
  unexpected: new Map(),
  arrivals: 0,
  shed: 0,
  commentLatencies: [],
  commentsSent: 0,
  commentReceipts: 0,
  commentReceiptsExpected: 0,
  likesSent: 0,
  seconds: 0,
  cpu: new Map(),
  generatorLagP99: 0,
});

/** One request, recorded under its route in the phase: latency from `startedAt`, status and problem code. */
async function call(
  phase: Phase,
  route: string,
  url: string,
  init: { method?: string; headers: Record<string, string>; body?: unknown },
  startedAt = performance.now(),
): Promise<Answer> {
  const stats: RouteStats = phase.routes.get(route) ?? {
    latencies: [],
    served: [],
    shed: [],
    statuses: new Map(),
    cacheHits: 0,
  };
  phase.routes.set(route, stats);
  let status = 0;
  let code = "";
  let body: Record<string, unknown> | null = null;
  let text = "";
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(requestTimeoutMs),
      method: init.method ?? "GET",
      headers: init.body === undefined ? init.headers : { "content-type": "application/json", ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    status = res.status;
    if (res.headers.get("x-cache") === "HIT") stats.cacheHits++;
    text = await res.text();
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      code = typeof body?.code === "string" ? body.code : "";
    } catch {
      code = "non-JSON";
    }
  } catch (err) {
    code =
      err instanceof Error && err.name === "TimeoutError"
        ? `no answer within ${requestTimeoutMs / 1000} s`
        : `socket: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : err}`;
    text = code;
  }
  const latency = performance.now() - startedAt;
  stats.latencies.push(latency);
  const key = status >= 200 && status < 300 ? "2xx" : `${status} ${code}`.trim();
  if (key === "2xx") stats.served.push(latency);
  if (status === 429) stats.shed.push(latency);
  stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
  if (key !== "2xx" && !refusals.has(code)) {
    const id = `${route}: ${key}`;
    const seen = phase.unexpected.get(id);
    if (seen) seen.count++;
    else {
      phase.unexpected.set(id, { count: 1, example: text.slice(0, 300) });
      console.error(`!!! UNEXPECTED ${phase.name} ${id}: ${text.slice(0, 300)}`);
    }
  }
  return { status, json: body };
}

// ---- The platform's actors ----

interface World {
  gw: string;
  publishable: Record<string, string>;
  shoppers: Record<string, string>[];
  productIds: string[];
  noteIds: string[];
  skuIds: string[];
  flashSaleId: string;
  couponId: string;
  /** Coupon claims answered 201. */
  couponsClaimed: number;
  flashSkuId: string;
  liveSessionId: string;
  /** Orders answered 201 by checkout; orders whose payment was answered succeeded. */
  ordersCreated: Set<string>;
  ordersPaid: Set<string>;
  holdsGranted: number;
  holdsCommitted: number;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** Setup answers: 201 for what it creates, 200 for a room token or a live session started. */
const expectOk = (what: string, answer: Answer) => expectStatus(what, answer, [200, 201]);

/**
 * A cart with one line (and the coupon, if given), checkout (Idempotency-Key) and a sandbox payment; records the
 * order. True once ordered.
 */
async function buy(
  phase: Phase,
  world: World,
  shopper: Record<string, string>,
  line: Record<string, unknown>,
  at = performance.now(),
  couponId?: string,
): Promise<boolean> {
  const cart = await call(
    phase,
    "POST /v1/carts",
    `${world.gw}/v1/carts`,
    { method: "POST", headers: shopper, body: {} },
    at,
  );
  if (cart.status !== 201 || !cart.json) return false;
  const cartId = String(cart.json.id);
  const added = await call(phase, "POST /v1/carts/{id}/lines", `${world.gw}/v1/carts/${cartId}/lines`, {
    method: "POST",
    headers: shopper,
    body: line,
  });
  if (added.status !== 200) return false;
  if (couponId) {
    const applied = await call(phase, "PUT /v1/carts/{id}/coupons", `${world.gw}/v1/carts/${cartId}/coupons`, {
      method: "PUT",
      headers: shopper,
      body: { couponIds: [couponId] },
    });
    if (applied.status !== 200) return false;
  }
  const key = `festival-${cartId}`;
  const order = await call(phase, "POST /v1/carts/{id}/checkout", `${world.gw}/v1/carts/${cartId}/checkout`, {
    method: "POST",
    headers: { ...shopper, "idempotency-key": `${key}-checkout` },
    body: {},
  });
  if (order.status !== 201 || !order.json) return false;
  const orderId = String(order.json.id);
  world.ordersCreated.add(orderId);
  const paymentId = (order.json.payment as { id?: string } | undefined)?.id;
  const paid = await call(phase, "POST /v1/payments/{id}/sandbox", `${world.gw}/v1/payments/${paymentId}/sandbox`, {
    method: "POST",
    headers: { ...shopper, "idempotency-key": `${key}-pay` },
    body: { outcome: "succeed" },
  });
  if ((paid.json?.payment as { status?: string } | undefined)?.status === "succeeded") world.ordersPaid.add(orderId);
  return true;
}

/**
 * A shopper's POST that takes an Idempotency-Key (a fresh one: the load generator does not retry), timed from `at`;
 * once answered 201, `then` goes on with the same shopper and what was created.
 */
async function createThen(
  phase: Phase,
  world: World,
  at: number,
  request: { route: string; path: string; body: unknown },
  then: (shopper: Record<string, string>, created: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  const shopper = pick(world.shoppers);
  const headers = { ...shopper, "idempotency-key": crypto.randomUUID() };
  const { status, json } = await call(
    phase,
    request.route,
    `${world.gw}${request.path}`,
    { method: "POST", headers, body: request.body },
    at,
  );
  if (status === 201) await then(shopper, json ?? {});
}

/** The mix: weight, and what one arrival does (its first request timed from `at`, its scheduled moment). */
const mix: { name: string; weight: number; run: (phase: Phase, world: World, at: number) => Promise<unknown> }[] = [
  {
    name: "discover feed",
    weight: 22,
    run: (phase, world, at) =>
      call(phase, "GET /v1/feed?type=discover", `${world.gw}/v1/feed?type=discover`, { headers: browser(world) }, at),
  },
  {
    name: "product page",
    weight: 20,
    run: (phase, world, at) =>
      call(
        phase,
        "GET /v1/products/{id}",
        `${world.gw}/v1/products/${pick(world.productIds)}`,
        { headers: browser(world) },
        at,
      ),
  },
  {
    name: "note page",
    weight: 14,
    run: async (phase, world, at) => {
      const noteId = pick(world.noteIds);
      const headers = browser(world);
      await call(phase, "GET /v1/notes/{id}", `${world.gw}/v1/notes/${noteId}`, { headers }, at);
      await call(phase, "GET /v1/notes/{id}/comments", `${world.gw}/v1/notes/${noteId}/comments`, { headers });
    },
  },
  {
    name: "search",
    weight: 22,
    run: (phase, world, at) =>
      call(
        phase,
        "GET /v1/search",
        `${world.gw}/v1/search?q=${encodeURIComponent(pick(queries))}&type=${Math.random() < 0.7 ? "products" : "notes"}`,
        { headers: browser(world) },
        at,
      ),
  },
  {
    name: "stream token",
    weight: 6,
    run: (phase, world, at) =>
      call(
        phase,
        "POST /v1/live/sessions/{id}/token",
        `${world.gw}/v1/live/sessions/${world.liveSessionId}/token`,
        { method: "POST", headers: pick(world.shoppers), body: {} },
        at,
      ),
  },
  {
    name: "flash-sale reservation, then pay the hold",
    weight: 6,
    run: (phase, world, at) => {
      const path = `/v1/flash-sales/${world.flashSaleId}/reservations`;
      const reserve = { route: "POST /v1/flash-sales/{id}/reservations", path, body: { quantity: 1 } };
      return createThen(phase, world, at, reserve, async (shopper, hold) => {
        world.holdsGranted++;
        const line = { skuId: world.flashSkuId, flashSaleId: world.flashSaleId, holdId: hold.id };
        if (await buy(phase, world, shopper, line)) world.holdsCommitted++;
      });
    },
  },
  {
    name: "coupon claim, then buy with it",
    weight: 3,
    run: (phase, world, at) => {
      const claim = { route: "POST /v1/coupons/{id}/claims", path: `/v1/coupons/${world.couponId}/claims`, body: {} };
      return createThen(phase, world, at, claim, async (shopper) => {
        world.couponsClaimed++;
        await buy(phase, world, shopper, { skuId: pick(world.skuIds), quantity: 1 }, performance.now(), world.couponId);
      });
    },
  },
  {
    name: "cart, checkout and pay",
    weight: 7,
    run: (phase, world, at) =>
      buy(
        phase,
        world,
        pick(world.shoppers),
        { skuId: pick(world.skuIds), quantity: 1 + Math.floor(Math.random() * 2) },
        at,
      ),
  },
];
const totalWeight = mix.reduce((n, m) => n + m.weight, 0);

/** Half the browsing is anonymous (the storefront's publishable key alone), half signed in. */
const browser = (world: World) => (Math.random() < 0.5 ? world.publishable : pick(world.shoppers));

function chooseFlow() {
  let r = Math.random() * totalWeight;
  for (const flow of mix) {
    r -= flow.weight;
    if (r < 0) return flow;
  }
  return mix[0] as (typeof mix)[number];
}

// ---- The room ----

interface SentComment {
  at: number;
  phase: Phase;
  sender: Socket;
}

interface Room {
  viewers: Socket[];
  sentComments: Map<string, SentComment>;
  likeTotal: number;
  likesSent: number;
  /** Error frames the room sent, by code (a comment over the room's rate limit is `rate_limited`). */
  errors: Map<string, number>;
}

async function joinRoom(world: World, room: Room, count: number, phase: Phase | null) {
  for (let i = 0; i < count; i += setupBatch) {
    const batch = Array.from({ length: Math.min(setupBatch, count - i) }, async () => {
      const shopper = pick(world.shoppers);
      const res = await post(`${world.gw}/v1/live/sessions/${world.liveSessionId}/token`, shopper, {});
      const { roomToken, roomUrl } = expectOk("room token", res) as { roomToken: string; roomUrl: string };
      const socket = await connect(`${roomUrl}?token=${roomToken}`);
      socket.onFrame = (frame, at) => {
        if (frame.type === "likes") room.likeTotal = Math.max(room.likeTotal, Number(frame.total));
        if (frame.type === "error") room.errors.set(String(frame.code), (room.errors.get(String(frame.code)) ?? 0) + 1);
        if (frame.type !== "comment") return;
        const body = String((frame.comment as { body?: string } | undefined)?.body ?? "");
        const sent = room.sentComments.get(body);
        if (!sent) return;
        sent.phase.commentReceipts++;
        if (socket === sent.sender) sent.phase.commentLatencies.push(at - sent.at);
      };
      return socket;
    });
    room.viewers.push(...(await Promise.all(batch)));
  }
  if (phase) phase.viewers = room.viewers.length;
}

/** Likes (a viewer tapping sends 1–5 taps each likeIntervalMs) and comments, until `until`. */
async function roomTraffic(room: Room, phase: Phase, until: number) {
  const due = new Map<Socket, number>();
  const commentRate = room.viewers.length * commentsPerViewer;
  let nextComment = performance.now();
  let n = 0;
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    const now = performance.now();
    for (const v of room.viewers) {
      if (v.closed !== null) continue;
      const at = due.get(v) ?? now + Math.random() * v.likeIntervalMs;
      if (at > now) {
        due.set(v, at);
        continue;
      }
      due.set(v, now + v.likeIntervalMs);
      if (Math.random() >= tapping) continue;
      const count = 1 + Math.floor(Math.random() * 5);
      v.ws.send(JSON.stringify({ type: "like", count }));
      phase.likesSent += count;
      room.likesSent += count;
    }
    while (commentRate > 0 && nextComment <= now) {
      nextComment += (-Math.log(1 - Math.random()) * 1000) / commentRate;
      const sender = pick(room.viewers);
      if (sender.closed !== null) continue;
      const body = `${phase.name} 好物 ${++n}`;
      room.sentComments.set(body, { at: performance.now(), phase, sender });
      phase.commentsSent++;
      phase.commentReceiptsExpected += room.viewers.filter((v) => v.closed === null).length;
      sender.ws.send(JSON.stringify({ type: "comment", body }));
    }
  }
}

// ---- One phase ----

async function runPhase(phase: Phase, world: World, room: Room) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const before = await cpuSnapshot();
  const started = performance.now();
  const until = started + phaseSeconds * 1000;
  const roomDone = roomTraffic(room, phase, until);
  const running = new Set<Promise<unknown>>();
  let next = started;
  let done = 0;
  const progress = setInterval(() => {
    const open = room.viewers.filter((v) => v.closed === null).length;
    console.error(
      `${phase.name} ${((performance.now() - started) / 1000).toFixed(0)} s: ${phase.arrivals} arrivals, ${running.size} in flight, ${done} done, ${phase.shed} shed; room ${open} open, ${phase.commentsSent} comments sent, ${phase.commentLatencies.length} echoed`,
    );
  }, 10_000);
  while (next < until) {
    const now = performance.now();
    while (next <= now && next < until) {
      const at = next;
      next += (-Math.log(1 - Math.random()) * 1000) / phase.rate;
      phase.arrivals++;
      if (running.size >= maxInFlight) {
        phase.shed++;
        continue;
      }
      const flow = chooseFlow();
      const task: Promise<unknown> = flow
        .run(phase, world, at)
        .catch((err) => console.error(`!!! ${flow.name}: ${err}`))
        .finally(() => {
          running.delete(task);
          done++;
        });
      running.add(task);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, next - performance.now()))));
  }
  await roomDone;
  await Promise.all(running);
  clearInterval(progress);
  phase.seconds = (performance.now() - started) / 1000;
  phase.cpu = coresByRole(before, await cpuSnapshot());
  lag.disable();
  phase.generatorLagP99 = lag.percentile(99) / 1e6;
}

// ---- The report ----

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";

function routeTable(phases: Phase[]): string {
  const lines = [
    "| phase | route | requests | req/s | p50 ms (every answer) | p99 ms | edge-cache hits | answers other than 2xx (status code: count) |",
    "|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const phase of phases) {
    for (const [route, stats] of [...phase.routes].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...stats.latencies].sort((a, b) => a - b);
      const other = [...stats.statuses].filter(([k]) => k !== "2xx").map(([k, v]) => `${k}: ${v}`);
      lines.push(
        `| ${phase.name} | ${route} | ${fmt(sorted.length)} | ${fmt(sorted.length / phase.seconds, 1)} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${stats.cacheHits > 0 ? `${fmt((100 * stats.cacheHits) / sorted.length)}%` : "–"} | ${other.join(", ") || "none"} |`,
      );
    }
    const total = (rows: (s: RouteStats) => number[], name: string) => {
      const all = [...phase.routes.values()].flatMap(rows).sort((a, b) => a - b);
      if (all.length === 0) return;
      lines.push(
        `| ${phase.name} | **${name}** | ${fmt(all.length)} | ${fmt(all.length / phase.seconds, 1)} | ${fmt(percentile(all, 50))} | ${fmt(percentile(all, 99))} | | |`,
      );
    };
    total((s) => s.latencies, "all HTTP");
    total((s) => s.served, "all HTTP answered 2xx");
    total((s) => s.shed, "all HTTP refused 429 (load shedding)");
    const comments = [...phase.commentLatencies].sort((a, b) => a - b);
    lines.push(
      `| ${phase.name} | room comment (send → own broadcast) | ${fmt(phase.commentsSent)} | ${fmt(phase.commentsSent / phase.seconds, 1)} | ${fmt(percentile(comments, 50))} | ${fmt(percentile(comments, 99))} | | ${phase.commentsSent - comments.length} not echoed |`,
    );
  }
  return lines.join("\n");
}

function cpuTable(phases: Phase[]): string {
  const roles = [...new Set(phases.flatMap((p) => [...p.cpu.keys()]))];
  return [
    `| process | ${phases.map((p) => `${p.name}: cores`).join(" | ")} |`,
    `|---|${phases.map(() => "---:").join("|")}|`,
    ...roles.map((role) => `| ${role} | ${phases.map((p) => fmt(p.cpu.get(role) ?? 0, 2)).join(" | ")} |`),
  ].join("\n");
}

export async function benchFestival(): Promise<string> {
  const flaky = flakyAnswers(failEvery);
  const delivered = flaky.delivered;
  const receiver = await startWebhookReceiver({ answer: flaky.answer });
  const room: Room = { viewers: [], sentComments: new Map(), likeTotal: 0, likesSent: 0, errors: new Map() };
  try {
    process.env.MAX_IN_FLIGHT = gatewayInFlight;
    return await withPlatform("festival", async (platform) => {
      const gw = platform.gatewayUrl;
      const { merchant, secret } = demoMerchant(platform);
      const creatorKey = platform.credentials.creators[0]?.creatorKey;
      if (!creatorKey) throw new Error("no demo creator");
      const publishable = { "x-publishable-key": merchant.publishableKey };

      const endpoint = expectOk(
        "webhook endpoint",
        await post(`${gw}/v1/webhook-endpoints`, secret, {
          url: `${receiver.url}/hooks/festival`,
          eventTypes: ["order.created", "order.paid", "order.cancelled"],
          description: "festival receiver",
        }),
      );
      const products = await Promise.all(
        Array.from({ length: catalogueProducts }, (_, i) =>
          createProduct(gw, secret, `${benchTitles[i % benchTitles.length]} ${i + 1}号`, [
            { options: { size: "标准装" }, price: 9900 + 100 * i, stock: initialStock },
          ]),
        ),
      );
      const skuIds = products.map((p) => p.skuIds[0] ?? "");
      const flashProduct = await createProduct(gw, secret, "双十一秒杀 口红礼盒", [
        { options: { colour: "正红" }, price: 19_900, stock: flashUnits },
      ]);
      const flashSkuId = flashProduct.skuIds[0] ?? "";
      const flashSaleId = await createFlashSale(gw, secret, { skuId: flashSkuId, quantity: flashUnits, price: 9_900 });
      const coupon = expectOk(
        "coupon",
        await post(`${gw}/v1/coupons`, secret, {
          name: "双十一店铺券",
          kind: "fixed",
          amountOff: { amount: 1_000, currency: "CNY" },
          currency: "CNY",
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          quantity: couponQuantity,
        }),
      );
      const creator = expectOk("creator session", await post(`${gw}/v1/creator-sessions`, {}, { creatorKey }));
      const asCreator = { authorization: `Bearer ${creator.accessToken}` };
      const session = expectOk(
        "live session",
        await post(`${gw}/v1/live/sessions`, asCreator, {
          title: "双十一直播间",
          scheduledStartAt: new Date(Date.now() + 60_000).toISOString(),
          productIds: [demo.products[0]?.id],
        }),
      );
      expectOk("start", await post(`${gw}/v1/live/sessions/${session.id}/start`, asCreator, {}));
      const tokens = await shopperTokens(gw, merchant.publishableKey, shopperCount, setupBatch);
      const shoppers = tokens.map((token) => ({ ...publishable, authorization: `Bearer ${token}` }));
      const world: World = {
        gw,
        publishable,
        shoppers,
        productIds: [
          ...demo.products.filter((p) => p.status !== "draft").map((p) => p.id),
          ...products.map((p) => p.id),
        ],
        noteIds: demo.notes.map((n) => n.id),
        skuIds,
        flashSaleId,
        couponId: String(coupon.id),
        couponsClaimed: 0,
        flashSkuId,
        liveSessionId: String(session.id),
        ordersCreated: new Set(),
        ordersPaid: new Set(),
        holdsGranted: 0,
        holdsCommitted: 0,
      };

      const normal = newPhase("normal", normalRate, normalViewers);
      const festival = newPhase(
        "festival ×3.8",
        normalRate * festivalFactor,
        Math.round(normalViewers * festivalFactor),
      );
      console.error(`festival: platform seeded; ${normal.viewers} viewers joining`);
      await joinRoom(world, room, normal.viewers, normal);
      await runPhase(normal, world, room);
      console.error(`festival: ${festival.viewers - room.viewers.length} more viewers joining`);
      await joinRoom(world, room, festival.viewers - room.viewers.length, festival);
      await runPhase(festival, world, room);

      // Drain: every order event written to the endpoint delivered (its retries come 5 s later), or 2 minutes.
      const dbFile = path.join(path.dirname(platform.credentialsFile), "zhongcao.db");
      const db = createClient({ url: `file:${dbFile}` });
      const written = async () =>
        (
          await db.execute({
            sql: "SELECT message_id FROM webhook_deliveries WHERE endpoint_id = ?",
            args: [String(endpoint.id)],
          })
        ).rows.map((r) => String(r.message_id));
      console.error("festival: waiting for the webhooks to drain");
      const drainStarted = performance.now();
      let messageIds = await written();
      while (messageIds.some((id) => !delivered.has(id)) && performance.now() - drainStarted < drainTimeoutMs) {
        await new Promise((r) => setTimeout(r, 500));
        messageIds = await written();
      }
      const drainSeconds = (performance.now() - drainStarted) / 1000;
      // The room's total after the last likes: wait until it stops moving (at most 10 s).
      for (let still = 0, last = -1; still < 20 && room.likeTotal < room.likesSent; ) {
        await new Promise((r) => setTimeout(r, 500));
        still = room.likeTotal === last ? still + 1 : 0;
        last = room.likeTotal;
      }

      const one = async (sql: string, args: (string | number)[] = []) =>
        (await db.execute({ sql, args })).rows[0] as Record<string, number | string | null> | undefined;
      const orderIds = [...world.ordersCreated];
      const inDb = await one(
        `SELECT count(*) AS n FROM orders WHERE id IN (${orderIds.map(() => "?").join(",") || "''"})`,
        orderIds,
      );
      const paidMismatch = await one(
        `SELECT count(*) AS n FROM orders o WHERE o.merchant_id = ? AND (o.status = 'paid') !=
           EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')`,
        [merchant.id],
      );
      const paidInDb = await one("SELECT count(*) AS n FROM orders WHERE merchant_id = ? AND status = 'paid'", [
        merchant.id,
      ]);
      const stockRows = (
        await db.execute({
          sql: `SELECT s.id, s.stock,
                  (SELECT coalesce(sum(l.delta), 0) FROM inventory_ledger l WHERE l.sku_id = s.id) AS ledger,
                  (SELECT coalesce(sum(ol.quantity), 0) FROM order_lines ol JOIN orders o ON o.id = ol.order_id
                    WHERE ol.sku_id = s.id AND o.status != 'cancelled') AS sold
                FROM skus s WHERE s.id IN (${skuIds.map(() => "?").join(",")})`,
          args: skuIds,
        })
      ).rows;
      const stockBad = stockRows.filter(
        (r) =>
          Number(r.stock) + Number(r.sold) !== initialStock ||
          Number(r.ledger) !== Number(r.stock) ||
          Number(r.stock) < 0,
      ).length;
      const soldUnits = stockRows.reduce((n, r) => n + Number(r.sold), 0);
      const saleNow = (await (await fetch(`${gw}/v1/flash-sales/${world.flashSaleId}`)).json()) as {
        stockLeft: number;
      };
      const flashSold = await one(
        `SELECT coalesce(sum(ol.quantity), 0) AS n FROM order_lines ol JOIN orders o ON o.id = ol.order_id
          WHERE ol.flash_sale_id = ? AND o.status != 'cancelled'`,
        [world.flashSaleId],
      );
      // The sale's object writes its counts behind (flash_sale_tallies, a second or so after a change): read them
      // once they have caught up with the object's stock and the orders, for at most 20 s. Checkouts that finished in
      // the phase's last moments move units from held to committed without changing the stock left.
      const tally = async () =>
        one("SELECT available, held, committed, returned FROM flash_sale_tallies WHERE flash_sale_id = ?", [
          world.flashSaleId,
        ]);
      let counts = await tally();
      const caughtUp = () =>
        Number(counts?.available) === saleNow.stockLeft && Number(counts?.committed) === Number(flashSold?.n);
      for (let i = 0; i < 40 && !caughtUp(); i++) {
        await new Promise((r) => setTimeout(r, 500));
        counts = await tally();
      }
      const flashAddsUp =
        saleNow.stockLeft + Number(counts?.held) + Number(counts?.committed) === flashUnits &&
        Number(counts?.committed) === Number(flashSold?.n) &&
        saleNow.stockLeft >= 0;
      const claims = await one(
        `SELECT c.claimed, (SELECT count(*) FROM coupon_claims k WHERE k.coupon_id = c.id) AS rows,
           (SELECT count(*) FROM coupon_claims k WHERE k.coupon_id = c.id AND k.order_id IS NOT NULL) AS used
         FROM coupons c WHERE c.id = ?`,
        [world.couponId],
      );
      const claimsAddUp =
        Number(claims?.rows) === Number(claims?.claimed) &&
        Number(claims?.claimed) <= couponQuantity &&
        world.couponsClaimed <= Number(claims?.rows);
      const lost = messageIds.filter((id) => !delivered.has(id)).length;
      const duplicates = [...delivered.values()].reduce((n, d) => n + d.count - 1, 0);
      // From the event's webhook-timestamp (whole seconds) to its first 200.
      const lags = [...delivered.values()]
        .map(({ first }) => first.at - Number(first.timestamp) * 1000)
        .sort((a, b) => a - b);
      db.close();

      const phases = [normal, festival];
      const unexpected = phases.flatMap((p) =>
        [...p.unexpected].map(
          ([what, { count, example }]) => `- ${p.name}: **${what}** × ${count}: \`${example.replaceAll("`", "'")}\``,
        ),
      );
      const shed = phases.reduce((n, p) => n + p.shed, 0);
      if (unexpected.length > 0 || shed > 0) {
        console.error(
          `\n!!! ${unexpected.length} kinds of unexpected failure, ${shed} arrivals shed:\n${unexpected.join("\n")}\n`,
        );
      }
      const check = (ok: boolean) => (ok ? "yes" : "**NO**");
      return [
        "## festival: a festival day's mixed traffic, normal and ×3.8",
        "",
        `The whole platform (\`npm start\`'s stack: every Worker's deploy bundle in one workerd, the local libSQL server; rate limits off) on ${cpus().length} cores shared with the load generator and with whatever else runs on the machine. Open-loop Poisson arrivals for ${phaseSeconds} s a phase: normal ${fmt(normal.rate, 1)} arrivals/s (a rate this machine sustains), festival ${fmt(festival.rate, 1)}/s (×${festivalFactor}). Each arrival's first request is timed from its scheduled moment, so queueing shows as latency. Mix: ${mix.map((m) => `${m.weight}% ${m.name}`).join(", ")}; browsing half anonymous (edge-cacheable), half signed in; ${shopperCount} shoppers. One live room: ${normal.viewers} WebSocket viewers, then ${festival.viewers}, ${fmt(100 * tapping)}% of them tapping like at any moment (each sends its taps every \`likeIntervalMs\` the room gives), and 1 comment a second per ${1 / commentsPerViewer} viewers. A webhook endpoint for order.created, order.paid and order.cancelled on a local receiver (every ${failEvery}th first delivery answered 500). The gateway sheds load past ${gatewayInFlight} requests in progress (\`MAX_IN_FLIGHT\`: 429 \`rate_limited\`, Retry-After: 1).`,
        "",
        routeTable(phases),
        "",
        `Arrivals: normal ${fmt(normal.arrivals)} (shed ${normal.shed}), festival ${fmt(festival.arrivals)} (shed ${festival.shed}); the load generator's event-loop delay p99: ${fmt(normal.generatorLagP99, 1)} ms and ${fmt(festival.generatorLagP99, 1)} ms.`,
        "",
        `**Unexpected failures** (anything not a documented refusal: ${[...refusals].join(", ")}): ${unexpected.length === 0 ? "none." : `\n\n${unexpected.join("\n")}`}`,
        "",
        "Where the time goes: CPU cores used in each phase (from /proc; 1.00 = one core busy for the whole phase):",
        "",
        cpuTable(phases),
        "",
        "Nothing lost:",
        "",
        "| check | figure | holds |",
        "|---|---|---|",
        `| every checkout answered 201 has its order | ${orderIds.length} answered 201, ${inDb?.n} in the database | ${check(Number(inDb?.n) === orderIds.length)} |`,
        `| paid orders match succeeded payments | ${world.ordersPaid.size} payments answered succeeded, ${paidInDb?.n} orders paid, ${paidMismatch?.n} orders whose status disagrees with their payment | ${check(Number(paidMismatch?.n) === 0 && Number(paidInDb?.n) === world.ordersPaid.size)} |`,
        `| stock: stock + sold = initial, stock = its ledger, never negative (${skuIds.length} SKUs × ${fmt(initialStock)}) | ${fmt(soldUnits)} units sold, ${stockBad} SKUs off | ${check(stockBad === 0)} |`,
        `| flash sale: left + held + committed = ${flashUnits}, committed = units in orders | left ${saleNow.stockLeft}, held ${counts?.held}, committed ${counts?.committed} (the object's tally), in orders ${flashSold?.n}; ${world.holdsGranted} holds answered 201, ${world.holdsCommitted} paid | ${check(flashAddsUp)} |`,
        `| coupons: claimed ≤ issued, one claim row each | ${couponQuantity} issued, ${world.couponsClaimed} claims answered 201, ${claims?.claimed} claimed, ${claims?.rows} claim rows, ${claims?.used} used by an order | ${check(claimsAddUp)} |`,
        `| every order event delivered at least once | ${messageIds.length} written, ${messageIds.length - lost} delivered (${flaky.answered500} first deliveries answered 500 and retried), drained ${fmt(drainSeconds, 1)} s after the festival | ${check(lost === 0)} |`,
        `| exactly once by webhook-id | ${duplicates} duplicate 200s; lag from the event's timestamp to its 200: p50 ${fmt(percentile(lags, 50))} ms, p99 ${fmt(percentile(lags, 99))} ms | ${check(duplicates === 0)} |`,
        `| room: error frames by code | ${[...room.errors].map(([code, n]) => `${code}: ${n}`).join(", ") || "none"} | ${check([...room.errors.keys()].every((code) => refusals.has(code)))} |`,
        `| room: every comment broadcast reached every viewer; every like counted | ${fmt(phases.reduce((n, p) => n + p.commentReceipts, 0))} of ${fmt(phases.reduce((n, p) => n + p.commentReceiptsExpected, 0))} comment deliveries; likes ${fmt(room.likeTotal)} counted of ${fmt(room.likesSent)} sent | ${check(phases.every((p) => p.commentReceipts >= p.commentReceiptsExpected) && room.likeTotal === room.likesSent)} |`,
      ].join("\n");
    });
  } finally {
    for (const v of room.viewers) v.ws.close();
    await receiver.close();
  }
}
