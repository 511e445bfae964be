// `npm run bench -- flash-model`: what one machine cannot show, modelled. A discrete-event simulation of a flash sale
// on Cloudflare: presses arriving at the edge, the round trip from the edge Worker to the sale's objects, K shard
// objects each serving one request at a time with the service times measured in this same run on the local stack
// (the decision; the lend RPC a short shard makes), and a per-object queue bound past which a request is refused as
// overloaded. Calibrated in the same run: the model, set up as the local stack is (one workerd thread for everything),
// predicts the answer times of open-loop local runs at K = 1 and K = 8, printed beside what those runs measured.
// The model and its assumptions: bench/README.md#flash-model and docs/design/flash-sales.md#the-production-model.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { cpuSecondsByRole, cpuSnapshot, WORKERD, workerdThread } from "./cpu.ts";
import { withPlatformRetry } from "./flash-sale.ts";
import { cleanupMsPerMb, gcTrace, generator, type Pause, pick, simulateThisMachine } from "./one-thread-model.ts";
import { percentile } from "./stats.ts";

/** Requests waiting at one object, past which it refuses with "overloaded" (Cloudflare's own bound is not published). */
const QUEUE_BOUND = Number(process.env.BENCH_MODEL_QUEUE ?? 100);
/** Edge Worker ↔ the sale's objects, ms: shoppers all over a country, the objects in one place. */
const EDGE_RTT = { min: 10, max: 70 };
/** One object ↔ another of the same sale, ms (created together, so placed together). */
const OBJECT_RTT_MS = 2;
const SHARDS = [1, 4, 16, 64];
/** Open-loop local runs at each of K = 1 and K = 8, for the calibration. */
const RUNS = Number(process.env.BENCH_MODEL_RUNS ?? 3);
// Enough presses one at a time for a few collections of each isolate (the largest comes about every 800 presses).
const QUIET_PRESSES = 3000;

export interface ModelInput {
  /** Arrival times at the edge, ms, ascending. */
  arrivals: number[];
  units: number;
  shards: number;
  /** One press's times, ms: its decision at its object (the queue's service time) and its round trip outside. */
  press: (random: () => number) => { serviceMs: number; outsideMs: number };
  /** Samples of an object's time to lend a batch to another shard, ms. */
  lendMs: number[];
  queueBound: number;
  seed: number;
}

export interface ModelResult {
  granted: number;
  soldOut: number;
  overloaded: number;
  /** When the last unit was granted, ms after the first press (null: units were left). */
  soldOutAtMs: number | null;
  answerMs: number[];
  /** Answer times of the presses an object decided (granted or sold out), not refused as overloaded. */
  decidedMs: number[];
  /** Units left on some shard while a press was answered sold out. */
  stranded: number;
  /** Of the first `units` presses, the share that got no unit (0: grants in exact arrival order). */
  unfairShare: number;
  /** Mean distance between a grant's place in the order of grants and its press's place in the order of arrivals. */
  meanDisplacement: number;
}

/** Every press through the model, in arrival order; each object a FIFO queue with a bound. */
export function simulate(input: ModelInput): ModelResult {
  const random = generator(input.seed);
  const k = input.shards;
  const stock = Array.from({ length: k }, (_, i) => Math.floor(input.units / k) + (i < input.units % k ? 1 : 0));
  const batch = Math.max(1, Math.ceil(input.units / k / 4));
  // One queue per shard object: the times its requests finish.
  const queues = Array.from({ length: k }, () => ({
    freeAt: 0,
    done: [] as number[],
  }));
  let granted = 0;
  let soldOut = 0;
  let overloaded = 0;
  let soldOutAtMs: number | null = null;
  let stranded = 0;
  const answerMs: number[] = [];
  const decidedMs: number[] = [];
  const grantOrder: { arrival: number; at: number }[] = [];
  const first = input.arrivals[0] ?? 0;
  // Each press reaches its object half its round trip after it arrives; objects serve in the order presses reach
  // them, which the spread of round trips makes different from the order they arrived in.
  const byReach = input.arrivals
    .map((arrival, index) => {
      const { serviceMs, outsideMs } = input.press(random);
      const shard = Math.floor(random() * k);
      return { arrival, index, serviceMs, outside: outsideMs, shard, reach: arrival + outsideMs / 2 };
    })
    .sort((a, b) => a.reach - b.reach || a.index - b.index);
  for (const { arrival, index, serviceMs, outside, shard, reach } of byReach) {
    const queue = queues[shard];
    if (!queue) continue;
    while (queue.done.length > 0 && (queue.done[0] ?? 0) <= reach) queue.done.shift();
    if (queue.done.length >= input.queueBound) {
      overloaded++;
      answerMs.push(outside);
      continue;
    }
    let service = serviceMs;
    const start = Math.max(reach, queue.freeAt);
    // A shard out of units asks the others in turn for a batch (each lend waits behind that shard's own queue).
    if ((stock[shard] ?? 0) === 0) {
      for (let step = 1; step < k && (stock[shard] ?? 0) === 0; step++) {
        const peer = (shard + step) % k;
        if ((stock[peer] ?? 0) === 0) continue;
        const peerQueue = queues[peer] ?? queue;
        const lend = pick(input.lendMs, random);
        service += OBJECT_RTT_MS + Math.max(0, peerQueue.freeAt - (start + service)) + lend;
        peerQueue.freeAt = Math.max(peerQueue.freeAt, start) + lend;
        const moved = Math.min(batch, stock[peer] ?? 0);
        stock[peer] = (stock[peer] ?? 0) - moved;
        stock[shard] = (stock[shard] ?? 0) + moved;
      }
    }
    const end = start + service;
    queue.freeAt = end;
    queue.done.push(end);
    const answered = end + outside / 2;
    answerMs.push(answered - arrival);
    decidedMs.push(answered - arrival);
    if ((stock[shard] ?? 0) > 0) {
      stock[shard] = (stock[shard] ?? 0) - 1;
      granted++;
      grantOrder.push({ arrival: index, at: end });
      if (granted === input.units) soldOutAtMs = end - first;
    } else {
      soldOut++;
      stranded = Math.max(
        stranded,
        stock.reduce((a, b) => a + b, 0),
      );
    }
  }
  grantOrder.sort((a, b) => a.at - b.at);
  const firstPresses = grantOrder.filter((g) => g.arrival < input.units).length;
  const meanDisplacement =
    grantOrder.reduce((sum, g, rank) => sum + Math.abs(rank - g.arrival), 0) / Math.max(1, grantOrder.length);
  return {
    granted,
    soldOut,
    overloaded,
    soldOutAtMs,
    answerMs,
    decidedMs,
    stranded,
    unfairShare: 1 - firstPresses / Math.min(input.units, input.arrivals.length),
    meanDisplacement,
  };
}

/** `count` arrival times spread at random over `seconds` (a Poisson process conditioned on its count), ascending. */
export function arrivals(count: number, seconds: number, seed: number): number[] {
  const random = generator(seed);
  return Array.from({ length: count }, () => random() * seconds * 1000).sort((a, b) => a - b);
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const p = (values: number[], q: number) => percentile(sorted(values), q);
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

interface Api {
  gw: string;
  secret: Record<string, string>;
  publishableKey: string;
}

async function post(api: Api, path: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(`${api.gw}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function newSale(api: Api, units: number, shards: number): Promise<string> {
  const product = await post(api, "/v1/products", api.secret, {
    title: `Model calibration ${shards}`,
    status: "active",
    skus: [{ options: { k: String(shards) }, price: { amount: 8900, currency: "CNY" }, stock: units }],
  });
  const skuId = (product.json.skus as { id: string }[] | undefined)?.[0]?.id;
  const sale = await post(api, "/v1/flash-sales", api.secret, {
    skuId,
    quantity: units,
    price: { amount: 4900, currency: "CNY" },
    startsAt: new Date(Date.now() - 1000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    perShopperLimit: 1,
    shards,
  });
  if (sale.status !== 201) throw new Error(`sale: ${sale.status} ${JSON.stringify(sale.json)}`);
  return String(sale.json.id);
}

/**
 * Service times, ms, of one kind of decision inside the checkout Worker, one at a time (the benchmark-only route):
 * the spread of the calls' wall times, scaled to workerd's CPU per call read from /proc over the same calls. On a
 * shared machine the wall time also holds the waits for a core; the CPU is what the object's thread spends.
 */
async function decisionTimes(api: Api, saleId: string, path: "object" | "lend", attempts: number) {
  const times: number[] = [];
  const before = await cpuSnapshot();
  // One call per measured decision: the route reports p50/p99 of a run, so runs of one give the samples.
  for (let i = 0; i < attempts; i += 50) {
    const res = await post(api, `/v1/flash-sales/${saleId}/bench-decisions`, api.secret, {
      path,
      attempts: 50,
      concurrency: 1,
      shoppers: 100_000,
    });
    if (res.status !== 200) throw new Error(`bench-decisions ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    times.push(((res.json.seconds as number) * 1000) / 50);
  }
  const cpuMs = ((cpuSecondsByRole(before, await cpuSnapshot()).get(WORKERD) ?? 0) * 1000) / attempts;
  const wallMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { samples: times.map((t) => (t * cpuMs) / wallMs), cpuMs, wallMs };
}

/**
 * Presses of 立即抢购 on one sale through the gateway, each as a signed-in shopper: node:http over kept-alive
 * connections, which costs this process less than fetch, so that its own delays weigh little in the answer times.
 */
function presser(api: Api, saleId: string, tokens: string[], run: string) {
  const agent = new Agent({ keepAlive: true });
  const url = new URL(`${api.gw}/v1/flash-sales/${saleId}/reservations`);
  const press = (i: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers = {
        "content-type": "application/json",
        authorization: `Bearer ${tokens[i % tokens.length]}`,
        "x-publishable-key": api.publishableKey,
        "idempotency-key": `${run}-${saleId}-${i}`,
      };
      const req = request(url, { method: "POST", agent, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end('{"quantity":1}');
    });
  return { press, close: () => agent.destroy() };
}

/**
 * Presses one after another through the gateway (each sent when the last was answered): the unloaded round trip, and
 * workerd's main-thread CPU at each press's start (what a collection's aftermath costs is read from these).
 */
async function oneAtATime(api: Api, saleId: string, count: number, tokens: string[]) {
  const answerMs: number[] = [];
  const starts: { at: number; threadMs: number }[] = [];
  const { press, close } = presser(api, saleId, tokens, "quiet");
  const thread = await workerdThread();
  const before = await cpuSnapshot();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    starts.push({ at: t, threadMs: thread() * 1000 });
    await press(i);
    answerMs.push(performance.now() - t);
  }
  starts.push({ at: performance.now(), threadMs: thread() * 1000 });
  close();
  const cpu = cpuSecondsByRole(before, await cpuSnapshot()).get(WORKERD) ?? 0;
  return { answerMs, cpuMsPerPress: (cpu * 1000) / count, starts, started, ended: performance.now() };
}

/** Sends each press at its scheduled time (open loop) and times its answer; counts grants. */
async function openLoop(api: Api, saleId: string, schedule: number[], tokens: string[]) {
  const answerMs: number[] = [];
  let granted = 0;
  const codes: Record<string, number> = {};
  const before = await cpuSnapshot();
  const thread = await workerdThread();
  const threadBefore = thread();
  // This process's own garbage collections delay its sends and its reading of answers: the model is told of them.
  const collections: { start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push({ start: entry.startTime, ms: entry.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
  const { press, close } = presser(api, saleId, tokens, "model");
  // One timer at a time, not one a press: this process's own work stays small.
  const timed = async (i: number, sent: number) => {
    const { status, body } = await press(i);
    answerMs.push(performance.now() - sent);
    if (status === 201) granted++;
    const code = `${status} ${/"code":"([a-z_]+)"/.exec(body)?.[1] ?? ""}`.trim();
    codes[code] = (codes[code] ?? 0) + 1;
  };
  const started = performance.now();
  const sending: Promise<void>[] = [];
  for (const [i, at] of schedule.entries()) {
    const wait = started + at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sending.push(timed(i, started + at));
  }
  await Promise.all(sending);
  close();
  const ended = performance.now();
  observer.disconnect();
  const clientPauses = collections.map((c) => ({ atMs: c.start - started, ms: c.ms }));
  const threadSeconds = thread() - threadBefore;
  const cpu = cpuSecondsByRole(before, await cpuSnapshot()).get(WORKERD) ?? 0;
  const perPress = (seconds: number) => (seconds * 1000) / schedule.length;
  return {
    answerMs,
    granted,
    codes,
    cpuMsPerPress: perPress(cpu),
    threadMsPerPress: perPress(threadSeconds),
    clientPauses,
    started,
    ended,
  };
}

/**
 * The thread's time per press when saturated: `count` presses from `concurrency` loops, wall time ÷ presses. On a
 * shared machine this is the service time the one workerd thread gives a press now (CPU plus what it waits for a core).
 */
async function saturated(api: Api, saleId: string, count: number, concurrency: number, tokens: string[]) {
  let next = 0;
  const { press, close } = presser(api, saleId, tokens, "saturated");
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await press(next++);
    }),
  );
  close();
  return { wallMs: (performance.now() - started) / count };
}

/**
 * Waits until the next `ms` fall between two starts of a minute, 3 s after one: the platform's crons (the webhook
 * sweep) run on the same thread at each minute's start, and they are not part of a sale's load.
 */
async function betweenCrons(ms: number): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute >= 3000 && intoMinute + ms < 60_000) return;
  await new Promise((resolve) => setTimeout(resolve, (intoMinute < 3000 ? 3000 : 63_000) - intoMinute));
}

/**
 * Samples of one commit's sync on this machine's disk, ms: a write-ahead log's append of a few pages, then fsync, in
 * the platform's data folder (where workerd keeps the objects' SQLite files), one every `intervalMs`.
 */
async function syncTimes(dir: string, count: number, intervalMs: number): Promise<number[]> {
  const file = path.join(dir, "sync-probe");
  // Synchronous calls, as workerd makes them: the time is the system call's, not a thread pool's round trip.
  const fd = openSync(file, "a");
  const page = Buffer.alloc(16_384, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, page);
      const started = performance.now();
      fsyncSync(fd);
      times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    closeSync(fd);
    await rm(file, { force: true });
  }
  return times;
}

export async function benchFlashModel(): Promise<string> {
  // Every shopper session of the run must outlive it (the default, 15 minutes, is shorter than a run here).
  process.env.ACCESS_TOKEN_TTL_SECONDS = "7200";
  // The benchmark-only route that measures decisions (off unless this is "true").
  process.env.BENCH_NAIVE_RESERVATIONS = "true";
  // V8 reports every garbage collection in workerd (the runtime's output, read by gcTrace as it comes); only in this
  // benchmark's platform, not in those of the benchmarks run after it.
  const v8Flags = process.env.MINIFLARE_WORKERD_V8_FLAGS;
  process.env.MINIFLARE_WORKERD_V8_FLAGS = "--trace-gc";
  const gc = gcTrace();
  return withPlatformRetry(
    "flash-model",
    async (platform) => {
      const merchant = platform.credentials.merchants[0];
      if (!merchant) throw new Error("no demo merchant");
      const api: Api = {
        gw: platform.gatewayUrl,
        secret: { authorization: `Bearer ${merchant.secretKey}` },
        publishableKey: merchant.publishableKey,
      };
      const seconds = Number(process.env.BENCH_MODEL_SECONDS ?? 10);
      const calibrationUnits = 1000;
      const tokens: string[] = [];
      for (let i = 0; i < 2000; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, () =>
            post(api, "/v1/shopper-sessions", { "x-publishable-key": api.publishableKey }, {}),
          ),
        );
        tokens.push(...batch.map((s) => String(s.json.accessToken)));
      }

      // 1. Service times, measured here: the decision (one RPC to the object, inside the Worker) and the lend RPC.
      const decide = await decisionTimes(api, await newSale(api, 100_000, 1), "object", 2000);
      const lend = await decisionTimes(api, await newSale(api, 100_000, 2), "lend", 1000);
      const decideMs = decide.samples;
      const lendMs = lend.samples;

      // 2. The local runs: the same open-loop arrivals at K = 1 and K = 8, at half of what one thread gives at K = 1.
      const thread = await saturated(api, await newSale(api, calibrationUnits, 1), 3000, 100, tokens);
      // The unloaded round trip of a whole press through the gateway, one at a time, and the thread's CPU for it:
      // after the saturated run, so that workerd has compiled the press's code as it has for the runs.
      const quiet = await oneAtATime(api, await newSale(api, 1000, 1), QUIET_PRESSES, tokens);
      // What the thread spends after a young collection, beyond V8's pause, for each MB it freed.
      const cleanup = cleanupMsPerMb(quiet.starts, gc.between(quiet.started, quiet.ended), quiet.started);
      const presses = Number(process.env.BENCH_MODEL_PRESSES ?? Math.round((0.5 * seconds * 1000) / thread.wallMs));
      const schedule = arrivals(presses, seconds, 7);
      const dataDir = path.dirname(platform.credentialsFile);
      const local: {
        shards: number;
        round: number;
        run: Awaited<ReturnType<typeof openLoop>>;
        predicted: number[];
        cpuMs: number;
        sync: number[];
        pauses: Pause[];
      }[] = [];
      // Several runs of each, alternating: one run's p99 rests on its few longest collections.
      for (let round = 1; round <= RUNS; round++) {
        for (const shards of [1, 8]) {
          // The disk's syncs just before the run, at the run's pace (its stalls come and go with the disk's other work).
          const sync = await syncTimes(dataDir, 1000, (seconds * 1000) / presses);
          const sale = await newSale(api, calibrationUnits, shards);
          await betweenCrons(seconds * 1000 + 2000);
          const run = await openLoop(api, sale, schedule, tokens);
          // The run's own garbage collections, the young ones with their aftermath, stall the model's thread; its CPU a
          // press is what is left.
          const pauses = gc.between(run.started, run.ended).map((c) => ({
            atMs: c.atMs,
            ms: c.ms + (c.kind === "young" ? (cleanup.get(c.isolate) ?? 0) * c.freedMb : 0),
          }));
          const cpuMs = run.threadMsPerPress - pauses.reduce((sum, pause) => sum + pause.ms, 0) / presses;
          // Outside the thread: an unloaded round trip less what the model's thread spends on it (its CPU, a typical
          // sync), so that the model's lone press takes what a lone press took here.
          const outsideMs = quiet.answerMs.map((ms) => Math.max(0, ms - cpuMs - p(sync, 50)));
          const predicted = simulateThisMachine({
            arrivals: schedule,
            units: calibrationUnits,
            shards,
            cpuMs,
            syncMs: sync,
            outsideMs,
            pauses,
            clientPauses: run.clientPauses,
            seed: 11,
          });
          local.push({ shards, round, run, predicted, cpuMs, sync, pauses });
        }
      }

      // 3. Cloudflare: K objects, each its own thread, with the decision and lend times measured above.
      const scenarios = [
        { name: "1,000,000 presses over 10 s", arrivals: arrivals(1_000_000, 10, 3) },
        { name: "a burst of 200,000 in 1 s", arrivals: arrivals(200_000, 1, 5) },
      ];
      const rows: string[] = [];
      for (const scenario of scenarios) {
        for (const shards of SHARDS) {
          const r = simulate({
            arrivals: scenario.arrivals,
            units: 100_000,
            shards,
            press: (random) => ({
              serviceMs: pick(decideMs, random),
              outsideMs: EDGE_RTT.min + random() * (EDGE_RTT.max - EDGE_RTT.min),
            }),
            lendMs,
            queueBound: QUEUE_BOUND,
            seed: 13,
          });
          rows.push(
            `| ${scenario.name} | ${shards} | ${r.soldOutAtMs === null ? `not sold out (${(100_000 - r.granted).toLocaleString("en-US")} left)` : `${(r.soldOutAtMs / 1000).toFixed(2)} s`} | ${ms(p(r.answerMs, 50))} | ${ms(p(r.answerMs, 99))} | ${ms(p(r.decidedMs, 50))} | ${ms(p(r.decidedMs, 99))} | ${r.overloaded.toLocaleString("en-US")} | ${r.granted.toLocaleString("en-US")} | ${r.stranded} | ${(r.unfairShare * 100).toFixed(1)}% | ${Math.round(r.meanDisplacement).toLocaleString("en-US")} |`,
          );
        }
      }

      const within = (predicted: number, measured: number) =>
        `${((predicted / measured - 1) * 100).toFixed(0)}%${Math.abs(predicted / measured - 1) <= 0.25 ? "" : " (outside ±25%)"}`;
      const compared = (measured: number[], predicted: number[]) => {
        const [m50, m99, p50, p99] = [p(measured, 50), p(measured, 99), p(predicted, 50), p(predicted, 99)];
        return `${ms(m50)} | ${ms(p50)} | ${within(p50, m50)} | ${ms(m99)} | ${ms(p99)} | ${within(p99, m99)}`;
      };
      const calibration = [1, 8].flatMap((k) => {
        const runs = local.filter((l) => l.shards === k);
        return [
          ...runs.map(
            ({ shards, round, run, predicted, cpuMs, sync, pauses }) =>
              `| ${shards} | ${round} | ${run.granted} | ${ms(cpuMs)} | ${ms(run.cpuMsPerPress)} | ${ms(p(sync, 50))} / ${ms(p(sync, 99))} / ${ms(Math.max(...sync))} | ${pauses.length}, ${ms(pauses.reduce((sum, x) => sum + x.ms, 0))} ms, longest ${ms(Math.max(0, ...pauses.map((x) => x.ms)))} | ${compared(run.answerMs, predicted)} | ${JSON.stringify(run.codes)} |`,
          ),
          `| **${k}** | **all ${runs.length}** | | | | | | ${compared(
            runs.flatMap((r) => r.run.answerMs),
            runs.flatMap((r) => r.predicted),
          )} | |`,
        ];
      });
      return [
        "## flash-model: a sale on Cloudflare, modelled from service times measured here",
        "",
        `Service times measured in this run on \`npm start\`'s stack, one at a time inside the checkout Worker (benchmark-only route): the decision (one RPC to a FlashSaleStock object) ${decide.cpuMs.toFixed(3)} ms of workerd CPU each (${decide.wallMs.toFixed(2)} ms wall on this shared machine), spread p50 ${p(decideMs, 50).toFixed(3)} ms, p99 ${p(decideMs, 99).toFixed(3)} ms over ${decideMs.length} runs of 50; the lend RPC a short shard makes to another ${lend.cpuMs.toFixed(3)} ms of CPU each (${lend.wallMs.toFixed(2)} ms wall), p99 ${p(lendMs, 99).toFixed(3)} ms over ${lendMs.length} runs of 50. The model's objects take the CPU figures: on Cloudflare an object's thread has its core. A whole press through the gateway, one at a time: p50 ${ms(p(quiet.answerMs, 50))} ms, p99 ${ms(p(quiet.answerMs, 99))} ms, workerd CPU ${ms(quiet.cpuMsPerPress)} ms a press.`,
        "",
        `The model of a sale on Cloudflare: 100,000 units, presses from distinct shoppers; each press goes to one of K objects at random (its shopper's home shard), ${EDGE_RTT.min}–${EDGE_RTT.max} ms round trip between the edge Worker and the objects, each object one request at a time (FIFO) with the decision times above, a short shard asking the others in turn for a batch (a quarter of a first slice; ${OBJECT_RTT_MS} ms between objects plus the lend time, behind the lender's queue), and at most ${QUEUE_BOUND} requests waiting per object: beyond that a press is refused as overloaded. Answer time: from the press reaching the edge Worker to its answer leaving the object's edge.`,
        "",
        "| arrivals | shards | time to sell out | answer p50 ms (all) | answer p99 ms (all) | p50 ms (decided) | p99 ms (decided) | overloaded refusals | units granted | units stranded | first 100,000 presses without a unit | mean grant-order displacement |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...rows,
        "",
        `Calibration: the same ${presses.toLocaleString("en-US")} open-loop presses (arrival times fixed by a seed, over ${seconds} s: half of what one thread gave at K = 1, from 2,000 shoppers, limit 1) against ${calibrationUnits.toLocaleString("en-US")} units on this machine at K = 1 and K = 8, ${RUNS} runs of each (alternating, each on a sale of its own, none across the start of a minute, when the platform's crons run), and after them all the runs' answers together; and the model set up as this machine is: one workerd thread for the gateway, the Workers and every shard. When free, the thread takes every press that has reached it and runs them, each for workerd's CPU a press in that run less its garbage collections; a short shard asks its peers in turn, each asked peer committing its write; then each object written in that turn commits, one sync of its write-ahead log each, before any answer leaves. workerd syncs and collects garbage on its one thread, so a slow sync or a collection stalls every press behind it. The syncs are 1,000 fsyncs of a 16 KiB append in the platform's data folder, at the run's pace, just before each run; the collections are the run's own, as V8 reports them (\`--trace-gc\`: when and how long), and the load generator's own collections (this process's) hold back a press due during one and the reading of an answer that arrives during one. After a young collection (a scavenge) workerd also destroys, on the same thread, the objects its dead wrappers held (a request's headers, bodies, streams), which V8's pause leaves out: measured on the ${QUIET_PRESSES.toLocaleString("en-US")} presses one at a time (the thread's CPU at each one's start, around each collection), ${[...cleanup.values()].map((k) => k.toFixed(2)).join(" / ")} ms for each MB freed in the ${cleanup.size} isolates that collected, added to the pause. A full collection's aftermath is not measured (one at a time there is rarely one): the model takes V8's pause alone. The rest of an unloaded round trip (one of those measured above, less the model's CPU and a typical sync) is spent outside the thread. CPU a press: workerd's main thread's (its schedstat), less the run's collections and the young ones' aftermath.`,
        "",
        "| shards | run | granted | model's CPU ms a press | workerd CPU ms a press in the run (every thread) | sync ms p50 / p99 / max | collections in the run (V8) | measured p50 ms | model p50 ms | model vs measured | measured p99 ms | model p99 ms | model vs measured | answers |",
        "|---:|---|---:|---:|---:|---|---|---:|---:|---|---:|---:|---|---|",
        ...calibration,
      ].join("\n");
    },
    gc.output,
  ).finally(() => {
    if (v8Flags === undefined) delete process.env.MINIFLARE_WORKERD_V8_FLAGS;
    else process.env.MINIFLARE_WORKERD_V8_FLAGS = v8Flags;
  });
}
