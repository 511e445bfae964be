// `npm run bench -- recommend`: the personalised discover feed and related notes, offline on a generated community
// (recommend-data.ts, fixed seed) and online through the gateway. Offline, each shopper's engagements after day 28
// are held out; profiles, counts, hot lists and co-engagement are built from the days before, the candidates are
// gathered as workers/catalog/src/feed/personal.ts gathers them in SQL, and the page is ranked by the Worker's own
// rankFeed and rankRelated (imported). Baselines: today's global ranking, the most popular notes of the shopper's
// most-engaged topic, and random notes. Online: the feed of signed-in shoppers with profiles beside today's discover
// ranking, at 32 clients, on the same community loaded into the platform's database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Client, InStatement, InValue } from "@libsql/client";
import {
  HALF_LIFE_MS,
  hotKey,
  type InterestKind,
  type Signal,
  scaledWeight,
  signalWeights,
  viewWeight,
} from "#shared/interests.ts";
import { connect, localToken } from "../dev/database.ts";
import { type Platform, startPlatform } from "../dev/platform.ts";
import { freePort } from "../dev/ports.ts";
import {
  type Candidate,
  globalScore,
  profileFrom,
  rankFeed,
  rankRelated,
  type Source,
} from "../workers/catalog/src/feed/rank.ts";
import { getOk } from "./platform.ts";
import { type Community, DAY_MS, generate, type Kind, kinds, rng, START_MS } from "./recommend-data.ts";
import { measure, percentile, type Result } from "./stats.ts";

const K = 20;
const CUT_DAY = 28;
const signalOf: Record<Kind, Signal> = { view: "view", like: "like", save: "save", comment: "comment" };

/** What the evaluation derives from the engagements before the cut, as the database would hold it then. */
export interface World {
  community: Community;
  nowMs: number;
  candidates: Candidate[];
  /** Notes created by the cut, by id index. */
  live: boolean[];
  hot: { topic: Map<string, number[]>; category: Map<string, number[]>; all: number[] };
  fresh: number[];
  /** Training engagements per shopper: [start, end) into the community's columns. */
  train: [number, number][];
  /** Held-out notes per shopper (created by the cut, not engaged before it). */
  test: Set<number>[];
  /** Likes and saves before the cut: who, per note; which, per shopper (newest last). */
  engagedBy: number[][];
  engaged: number[][];
  /** Notes by tagged product. */
  byProduct: Map<number, number[]>;
}

export function buildWorld(community: Community): World {
  const { notes, shopper, note, kind, atMs } = community;
  const nowMs = START_MS + CUT_DAY * DAY_MS;
  const likes = new Int32Array(notes.length);
  const saves = new Int32Array(notes.length);
  const comments = new Int32Array(notes.length);
  const train: [number, number][] = Array.from({ length: community.tastes.length }, () => [0, 0]);
  const test = Array.from({ length: community.tastes.length }, () => new Set<number>());
  const engagedBy = notes.map(() => [] as number[]);
  const engaged = community.tastes.map(() => [] as number[]);
  const seenBefore = community.tastes.map(() => new Set<number>());
  let start = 0;
  for (let e = 0; e <= shopper.length; e++) {
    if (e === shopper.length || (e > 0 && shopper[e] !== shopper[e - 1])) {
      const s = shopper[e - 1] ?? 0;
      let end = start;
      while (end < e && (atMs[end] ?? 0) <= nowMs) end++;
      train[s] = [start, end];
      for (let i = end; i < e; i++) {
        const n = note[i] ?? 0;
        if ((notes[n]?.createdAtMs ?? 0) <= nowMs && !seenBefore[s]?.has(n)) test[s]?.add(n);
      }
      start = e;
    }
    if (e === shopper.length) break;
    if ((atMs[e] ?? 0) > nowMs) continue;
    const n = note[e] ?? 0;
    const s = shopper[e] ?? 0;
    seenBefore[s]?.add(n);
    const k = kinds[kind[e] ?? 0];
    if (k === "like") likes[n] = (likes[n] ?? 0) + 1;
    if (k === "save") saves[n] = (saves[n] ?? 0) + 1;
    if (k === "comment") comments[n] = (comments[n] ?? 0) + 1;
    if (k === "like" || k === "save") {
      engagedBy[n]?.push(s);
      engaged[s]?.push(n);
    }
  }
  const live = notes.map((n) => n.createdAtMs <= nowMs);
  const candidates: Candidate[] = notes.map((n, i) => ({
    id: n.id,
    authorId: community.creators[n.creator] ?? "",
    topics: n.topics,
    categories: [...new Set(n.products.map((p) => community.products[p]?.category ?? ""))],
    merchantIds: [...new Set(n.products.map((p) => community.merchants[community.products[p]?.merchant ?? 0] ?? ""))],
    productIds: n.products.map((p) => community.products[p]?.id ?? ""),
    likes: likes[i] ?? 0,
    saves: saves[i] ?? 0,
    comments: comments[i] ?? 0,
    createdAtMs: n.createdAtMs,
    co: 0,
    sources: [],
  }));
  const hotOf = (i: number) => {
    const c = candidates[i];
    return c ? hotKey(c.likes + 2 * c.saves + 3 * c.comments + 1, c.createdAtMs) : 0;
  };
  const hotValues = notes.map((_, i) => hotOf(i));
  const byHot = (list: number[]) => list.sort((a, b) => (hotValues[b] ?? 0) - (hotValues[a] ?? 0));
  const topicLists = new Map<string, number[]>();
  const categoryLists = new Map<string, number[]>();
  const all: number[] = [];
  notes.forEach((n, i) => {
    if (!live[i]) return;
    all.push(i);
    for (const t of n.topics) topicLists.set(t, [...(topicLists.get(t) ?? []), i]);
    for (const c of candidates[i]?.categories ?? []) categoryLists.set(c, [...(categoryLists.get(c) ?? []), i]);
  });
  for (const list of [...topicLists.values(), ...categoryLists.values()]) byHot(list);
  const byProduct = new Map<number, number[]>();
  for (const i of all) for (const p of notes[i]?.products ?? []) byProduct.set(p, [...(byProduct.get(p) ?? []), i]);
  const fresh = [...all].sort((a, b) => (notes[b]?.createdAtMs ?? 0) - (notes[a]?.createdAtMs ?? 0)).slice(0, 30);
  return {
    community,
    nowMs,
    candidates,
    live,
    hot: { topic: topicLists, category: categoryLists, all: byHot([...all]) },
    fresh,
    train,
    test,
    engagedBy,
    engaged,
    byProduct,
  };
}

/** The profile rows the write path would have stored for these engagements (shared/interests.ts weights). */
export function profileRows(world: World, events: number[]): { kind: InterestKind; key: string; weight: number }[] {
  const { community } = world;
  const rows = new Map<string, { kind: InterestKind; key: string; weight: number }>();
  const add = (kind: InterestKind, key: string, weight: number) => {
    const id = `${kind}\n${key}`;
    const row = rows.get(id) ?? { kind, key, weight: 0 };
    row.weight += weight;
    rows.set(id, row);
  };
  for (const e of events) {
    const k = kinds[community.kind[e] ?? 0] ?? "view";
    const w = k === "view" ? viewWeight(community.dwellMs[e]) : signalWeights[signalOf[k]];
    const scaled = scaledWeight(w, community.atMs[e] ?? 0);
    const c = world.candidates[community.note[e] ?? 0];
    if (!c) continue;
    for (const t of c.topics) add("topic", t, scaled);
    add("creator", c.authorId, scaled);
    for (const cat of c.categories) add("category", cat, scaled);
    for (const m of c.merchantIds) add("merchant", m, scaled);
  }
  return [...rows.values()];
}

/** Co-engagement as personal.ts computes it: the top 50 peers of `mine`, and the 120 notes they engaged with most. */
function coEngaged(world: World, mine: number[], except: number | null): Map<number, number> {
  const peers = new Map<number, number>();
  for (const n of new Set(mine)) {
    for (const s of world.engagedBy[n] ?? []) if (s !== except) peers.set(s, (peers.get(s) ?? 0) + 1);
  }
  const top = [...peers].sort((a, b) => b[1] - a[1]).slice(0, 50);
  const co = new Map<number, number>();
  for (const [s, n] of top) for (const note of world.engaged[s] ?? []) co.set(note, (co.get(note) ?? 0) + n);
  return new Map([...co].sort((a, b) => b[1] - a[1]).slice(0, 120));
}

/** The page the Worker would serve: candidates as personal.ts gathers them, ranked by rankFeed. */
export function personalPage(world: World, events: number[], exclude: Set<number>): Candidate[] {
  const rows = profileRows(world, events);
  const profile = profileFrom(rows, world.nowMs);
  const positive = (kind: InterestKind) =>
    rows
      .filter((r) => r.kind === kind && r.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .map((r) => r.key);
  const found = new Map<number, { sources: Set<Source>; co: number }>();
  const add = (i: number, source: Source, co = 0) => {
    if (!world.live[i]) return;
    const entry = found.get(i) ?? { sources: new Set<Source>(), co: 0 };
    entry.sources.add(source);
    entry.co = Math.max(entry.co, co);
    found.set(i, entry);
  };
  const topics = positive("topic");
  topics.slice(0, 5).forEach((t, rank) => {
    for (const i of (world.hot.topic.get(t) ?? []).slice(0, rank === 0 ? 80 : 40)) add(i, "interest");
  });
  for (const c of positive("category").slice(0, 2)) {
    for (const i of (world.hot.category.get(c) ?? []).slice(0, 30)) add(i, "interest");
  }
  const likedOrSaved = events.flatMap((e) => {
    const k = kinds[world.community.kind[e] ?? 0];
    return k === "like" || k === "save" ? [world.community.note[e] ?? 0] : [];
  });
  const shopper = events.length ? (world.community.shopper[events[0] ?? 0] ?? -1) : -1;
  for (const [i, co] of coEngaged(world, likedOrSaved.slice(-60), shopper)) add(i, "co", co);
  for (const i of world.hot.all.slice(0, 100)) add(i, "popular");
  for (const i of world.fresh) add(i, "fresh");
  const pool = [...found].flatMap(([i, f]) => {
    const c = world.candidates[i];
    return c && !exclude.has(i) ? [{ ...c, co: f.co, sources: [...f.sources] }] : [];
  });
  return rankFeed(pool, profile, { limit: K, nowMs: world.nowMs }).page;
}

function hitAndNdcg(list: number[], relevant: Set<number>): [number, number] {
  let dcg = 0;
  let hit = 0;
  list.slice(0, K).forEach((n, i) => {
    if (relevant.has(n)) {
      hit = 1;
      dcg += 1 / Math.log2(i + 2);
    }
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(K, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return [hit, ideal > 0 ? dcg / ideal : 0];
}

interface Score {
  name: string;
  hits: number;
  ndcg: number;
  n: number;
  recommended: Set<number>;
  byCreator: Map<string, number>;
  slots: number;
}

const score = (name: string): Score => ({
  name,
  hits: 0,
  ndcg: 0,
  n: 0,
  recommended: new Set(),
  byCreator: new Map(),
  slots: 0,
});

function record(world: World, s: Score, list: number[], relevant: Set<number>) {
  const [h, g] = hitAndNdcg(list, relevant);
  s.hits += h;
  s.ndcg += g;
  s.n++;
  for (const n of list.slice(0, K)) {
    s.recommended.add(n);
    const author = world.candidates[n]?.authorId ?? "";
    s.byCreator.set(author, (s.byCreator.get(author) ?? 0) + 1);
    s.slots++;
  }
}

const indexOf = (world: World) => new Map(world.candidates.map((c, i) => [c.id, i]));

export interface Offline {
  table: string;
  figures: Record<string, number>;
}

export function evaluate(world: World): Offline {
  const { community } = world;
  const ids = indexOf(world);
  const liveCount = world.live.filter(Boolean).length;
  const globalOrder = world.hot.all
    .slice()
    .sort(
      (a, b) =>
        globalScore(world.candidates[b] as Candidate, world.nowMs) -
        globalScore(world.candidates[a] as Candidate, world.nowMs),
    )
    .slice(0, 2_000);
  const random = rng(7);
  const liveIds = world.hot.all;
  const scores = {
    personal: score("personalised feed (rankFeed)"),
    global: score("today's global ranking"),
    topic: score("most popular in the shopper's most-engaged topic"),
    random: score("random"),
    related: score("related notes of the last liked or saved note (rankRelated)"),
    relatedBase: score("same-topic popularity of that note"),
    relatedCo: score("co-engagement alone: its likers' and savers' other likes and saves, most shared first"),
  };
  const cold = new Map<number, Score>([0, 1, 3, 10].map((k) => [k, score(`after ${k} actions`)]));
  const firstN = (list: Iterable<number>, exclude: Set<number>) => {
    const out: number[] = [];
    for (const n of list) {
      if (out.length >= K) break;
      if (!exclude.has(n)) out.push(n);
    }
    return out;
  };
  let evaluated = 0;
  for (let s = 0; s < community.tastes.length; s++) {
    const relevant = world.test[s] ?? new Set<number>();
    const [start, end] = world.train[s] ?? [0, 0];
    if (relevant.size === 0 || end - start < 1) continue;
    evaluated++;
    const events = Array.from({ length: end - start }, (_, i) => start + i);
    const exclude = new Set(world.engaged[s] ?? []);
    const page = personalPage(world, events, exclude).map((c) => ids.get(c.id) ?? -1);
    record(world, scores.personal, page, relevant);
    record(world, scores.global, firstN(globalOrder, exclude), relevant);
    const topicCounts = new Map<string, number>();
    for (const e of events) {
      for (const t of world.candidates[community.note[e] ?? 0]?.topics ?? []) {
        topicCounts.set(t, (topicCounts.get(t) ?? 0) + 1);
      }
    }
    const top = [...topicCounts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
    record(world, scores.topic, firstN(world.hot.topic.get(top) ?? [], exclude), relevant);
    const randomList = Array.from({ length: K }, () => liveIds[Math.floor(random() * liveIds.length)] ?? 0);
    record(world, scores.random, randomList, relevant);

    // Related notes of the shopper's last liked or saved note (else the last engaged).
    const seed = (world.engaged[s] ?? []).at(-1) ?? community.note[end - 1] ?? 0;
    const seedNote = world.candidates[seed];
    if (seedNote) {
      const co = coEngaged(world, [seed], null);
      const pool = new Map<number, number>(co);
      const sameTopic = seedNote.topics.flatMap((t) => (world.hot.topic.get(t) ?? []).slice(0, 150));
      const topicPool = [...new Set(sameTopic)]
        .sort(
          (a, b) =>
            hotKey(engagementOf(world, b), world.candidates[b]?.createdAtMs ?? 0) -
            hotKey(engagementOf(world, a), world.candidates[a]?.createdAtMs ?? 0),
        )
        .slice(0, 150);
      for (const i of topicPool) if (!pool.has(i)) pool.set(i, 0);
      // The hot notes of the two topics that go most with it among the co-engaged (personal.ts, relatedNotes).
      const coTopics = new Map<string, number>();
      for (const [i, c] of co)
        for (const t of world.candidates[i]?.topics ?? []) coTopics.set(t, (coTopics.get(t) ?? 0) + c);
      const together = [...coTopics]
        .filter(([t]) => !seedNote.topics.includes(t))
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2);
      for (const [t] of together)
        for (const i of (world.hot.topic.get(t) ?? []).slice(0, 30)) if (!pool.has(i)) pool.set(i, 0);
      for (const p of community.notes[seed]?.products ?? []) {
        for (const i of world.byProduct.get(p) ?? []) if (!pool.has(i)) pool.set(i, 0);
      }
      const candidates = [...pool].flatMap(([i, c]) => {
        const note = world.candidates[i];
        return note && world.live[i] && !exclude.has(i) ? [{ ...note, co: c }] : [];
      });
      const related = rankRelated(seedNote, candidates, K, world.nowMs).map((c) => ids.get(c.id) ?? -1);
      record(world, scores.related, related, relevant);
      record(world, scores.relatedBase, firstN(world.hot.topic.get(seedNote.topics[0] ?? "") ?? [], exclude), relevant);
      record(
        world,
        scores.relatedCo,
        firstN(
          [...co.keys()].filter((i) => i !== seed && world.live[i]),
          exclude,
        ),
        relevant,
      );
    }

    // The cold-start curve on every fifth shopper: only their last k actions are known.
    if (s % 5 === 0) {
      for (const [k, sc] of cold) {
        const known = events.slice(events.length - Math.min(k, events.length));
        const knownExclude = new Set(
          known.flatMap((e) => {
            const kk = kinds[community.kind[e] ?? 0];
            return kk === "like" || kk === "save" ? [community.note[e] ?? 0] : [];
          }),
        );
        const list =
          k === 0
            ? firstN(globalOrder, knownExclude)
            : personalPage(world, known, knownExclude).map((c) => ids.get(c.id) ?? -1);
        record(world, sc, list, relevant);
      }
    }
  }
  const rate = (x: Score) => x.hits / Math.max(1, x.n);
  const ndcg = (x: Score) => x.ndcg / Math.max(1, x.n);
  const coverage = (x: Score) => x.recommended.size / liveCount;
  const topShare = (x: Score) => {
    const counts = [...x.byCreator.values()].sort((a, b) => b - a);
    const top1pct = Math.max(1, Math.round(community.creators.length / 100));
    return counts.slice(0, top1pct).reduce((a, b) => a + b, 0) / Math.max(1, x.slots);
  };
  const globalRate = rate(scores.global);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const row = (x: Score) =>
    `| ${x.name} | ${x.n.toLocaleString("en-US")} | ${pct(rate(x))} | ${ndcg(x).toFixed(4)} | ${(rate(x) / globalRate).toFixed(2)}× | ${pct(coverage(x))} | ${pct(topShare(x))} |`;
  const coldRows = [...cold.values()].map(
    (x) =>
      `| ${x.name} | ${x.n.toLocaleString("en-US")} | ${pct(rate(x))} | ${ndcg(x).toFixed(4)} | ${(rate(x) / rate(cold.get(0) as Score)).toFixed(2)}× |`,
  );
  const table = [
    `| ranking | shoppers | hit rate@${K} | NDCG@${K} | hit rate ÷ global | coverage | top 1% of creators' share |`,
    "|---|---:|---:|---:|---:|---:|---:|",
    ...[
      scores.personal,
      scores.global,
      scores.topic,
      scores.random,
      scores.related,
      scores.relatedBase,
      scores.relatedCo,
    ].map(row),
    "",
    `Cold start (every fifth evaluated shopper; only their last k actions known; 0 actions is the global ranking, what the Worker serves an empty profile):`,
    "",
    `| known | shoppers | hit rate@${K} | NDCG@${K} | hit rate ÷ 0 actions |`,
    "|---|---:|---:|---:|---:|",
    ...coldRows,
  ].join("\n");
  return {
    table,
    figures: {
      evaluated,
      personal: rate(scores.personal),
      global: globalRate,
      topic: rate(scores.topic),
      random: rate(scores.random),
      related: rate(scores.related),
      relatedBase: rate(scores.relatedBase),
      cold3: rate(cold.get(3) as Score),
      cold0: rate(cold.get(0) as Score),
    },
  };
}

function engagementOf(world: World, i: number): number {
  const c = world.candidates[i];
  return c ? c.likes + 2 * c.saves + 3 * c.comments + 1 : 1;
}

// ——— Online: the same community in the platform's database, the feed through the gateway ———

const CLIENTS = 32;
const REQUESTS = Number(process.env.BENCH_RECOMMEND_REQUESTS ?? 3000);
const SHOPPERS_ONLINE = 400;

/** Rows in multi-row INSERTs of `size`, as batches of statements. */
async function insertRows(
  client: Client,
  head: string,
  columns: number,
  rows: InValue[][],
  size = Math.floor(8_000 / columns),
): Promise<void> {
  const statements: InStatement[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    statements.push({
      sql: `${head} VALUES ${chunk.map(() => `(${Array.from({ length: columns }, () => "?").join(", ")})`).join(", ")}`,
      args: chunk.flat(),
    });
    if (statements.length === 4) await client.batch(statements.splice(0), "write");
  }
  if (statements.length) await client.batch(statements, "write");
}

/** Loads the community as it stood at the cut, shifted so the cut is now; `shoppers` maps generated ones to real ids. */
export async function loadForProfile(client: Client, world: World, shoppers: Map<number, string>): Promise<number> {
  const { community } = world;
  const shift = Date.now() - world.nowMs;
  const iso = (ms: number) => new Date(ms + shift).toISOString();
  const started = performance.now();
  await insertRows(
    client,
    "INSERT INTO creators (id, name, handle)",
    3,
    community.creators.map((id, i) => [id, `博主 ${i}`, `bench_${i}`]),
  );
  const live = world.candidates.flatMap((c, i) => (world.live[i] ? [{ c, i }] : []));
  await insertRows(
    client,
    "INSERT INTO notes (id, creator_id, title, body, images, topics, like_count, save_count, comment_count, created_at, updated_at)",
    11,
    live.map(({ c }) => [
      c.id,
      c.authorId,
      `${c.topics[0]} ${c.id.slice(-4)}`,
      "",
      '["https://img.example.com/bench.jpg"]',
      JSON.stringify(c.topics),
      c.likes,
      c.saves,
      c.comments,
      iso(c.createdAtMs),
      iso(c.createdAtMs),
    ]),
  );
  const tags: InValue[][] = [];
  for (const { c } of live) {
    const hot = hotKey(c.likes + 2 * c.saves + 3 * c.comments + 1, c.createdAtMs + shift);
    tags.push(["all", "", c.id, hot]);
    for (const t of c.topics) tags.push(["topic", t, c.id, hot]);
  }
  await insertRows(client, "INSERT INTO note_tags (kind, key, note_id, hot)", 4, tags);
  const likes = new Map<string, InValue[]>();
  const saves = new Map<string, InValue[]>();
  for (let e = 0; e < community.shopper.length; e++) {
    if ((community.atMs[e] ?? 0) > world.nowMs) continue;
    const k = kinds[community.kind[e] ?? 0];
    if (k !== "like" && k !== "save") continue;
    const s = community.shopper[e] ?? 0;
    const actor = shoppers.get(s) ?? `shp_bench${String(s).padStart(16, "0")}`;
    const noteId = world.candidates[community.note[e] ?? 0]?.id ?? "";
    (k === "like" ? likes : saves).set(`${noteId} ${actor}`, [noteId, actor, iso(community.atMs[e] ?? 0)]);
  }
  await insertRows(client, "INSERT INTO note_likes (note_id, actor_id, created_at)", 3, [...likes.values()]);
  await insertRows(client, "INSERT INTO note_saves (note_id, actor_id, created_at)", 3, [...saves.values()]);
  const interests: InValue[][] = [];
  for (const [s, id] of shoppers) {
    const [start, end] = world.train[s] ?? [0, 0];
    const events = Array.from({ length: end - start }, (_, i) => start + i);
    for (const r of profileRows(world, events)) {
      // Scaled weights count from the epoch: shifting time multiplies them all alike, so their order holds.
      interests.push([id, r.kind, r.key, r.weight * 2 ** (shift / HALF_LIFE_MS), "{}"]);
    }
  }
  await insertRows(client, "INSERT INTO interests (profile_id, kind, key, weight, signals)", 5, interests);
  return (performance.now() - started) / 1000;
}

function summary(name: string, result: Result) {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    name,
    rps: result.ops / result.seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

export async function online(world: World): Promise<string> {
  process.env.RATE_LIMITS = "off";
  const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-bench-recommend-"));
  // Starting is retried: on a busy machine the start's own demo writes can time out on the database lock.
  let platform: Platform | undefined;
  for (let attempt = 1; !platform; attempt++) {
    try {
      platform = await startPlatform({
        port: await freePort(),
        libsqlPort: await freePort(),
        dataDir,
        stdio: process.env.BENCH_STDIO === "inherit" ? "inherit" : "ignore",
      });
    } catch (err) {
      if (attempt === 3) throw err;
      console.warn(`the platform did not start (${err instanceof Error ? err.message.slice(0, 120) : err}); again`);
    }
  }
  try {
    const gw = platform.gatewayUrl;
    const publishableKey = platform.credentials.merchants[0]?.publishableKey ?? "";
    const tokens: string[] = [];
    const shoppers = new Map<number, string>();
    const evaluated = world.test.flatMap((t, s) =>
      t.size > 0 && (world.train[s]?.[1] ?? 0) > (world.train[s]?.[0] ?? 0) ? [s] : [],
    );
    await measure("sessions", CLIENTS, SHOPPERS_ONLINE, async (_, i) => {
      const res = await fetch(`${gw}/v1/shopper-sessions`, {
        method: "POST",
        headers: { "x-publishable-key": publishableKey, "content-type": "application/json" },
        body: "{}",
      });
      const body = (await res.json()) as { accessToken?: string };
      if (res.status !== 201 || !body.accessToken) throw new Error(`shopper session: ${res.status}`);
      const payload = JSON.parse(Buffer.from(body.accessToken.split(".")[1] ?? "", "base64url").toString()) as {
        sub?: string;
      };
      tokens[i] = body.accessToken;
      shoppers.set(evaluated[i * 7] ?? i, String(payload.sub));
    });
    const db = connect({ url: platform.libsqlUrl, authToken: await localToken(dataDir) });
    const loadSeconds = await loadForProfile(db.$client, world, shoppers);
    db.$client.close();

    const feed = `${gw}/v1/feed?type=discover&limit=20`;
    // Today's ranking computed on every request: the first page at a clock of its own (a cursor past everything),
    // so the gateway's edge cache cannot answer it.
    const uncached = (i: number) => {
      const cursor = Buffer.from(
        JSON.stringify({ a: new Date(Date.now() - i).toISOString(), k: 1e300, i: "~" }),
      ).toString("base64url");
      return `${feed}&cursor=${cursor}`;
    };
    // An answer other than 200 is counted (and its status kept), not thrown: the table reports them.
    const failures = new Map<string, number>();
    const counted = (url: string, headers: Record<string, string> = {}) =>
      getOk(url, headers).catch((err: unknown) => {
        const status = /: (\d{3})$/.exec(err instanceof Error ? err.message : "")?.[1] ?? "network";
        failures.set(status, (failures.get(status) ?? 0) + 1);
      });
    const personal = (i: number) => counted(feed, { authorization: `Bearer ${tokens[i % tokens.length]}` });
    await measure("warm-up", CLIENTS, 200, (_, i) => counted(uncached(i + 1_000_000)));
    await measure("warm-up", CLIENTS, 200, (_, i) => personal(i));
    const rows = [
      summary(
        "today's discover ranking, computed per request (anonymous)",
        await measure("global", CLIENTS, REQUESTS, (_, i) => counted(uncached(i))),
      ),
      summary(
        "personalised discover, signed-in shoppers with profiles",
        await measure("personal", CLIENTS, REQUESTS, (_, i) => personal(i + 200)),
      ),
      summary(
        "today's discover, anonymous, the edge cache answering",
        await measure("cached", CLIENTS, REQUESTS, () => counted(feed)),
      ),
    ];
    const base = rows[0];
    const fmt = (n: number) => n.toFixed(1);
    return [
      `${tokens.length} signed-in shoppers (shopper sessions through the gateway, each given the profile and the likes of one generated shopper), ${REQUESTS.toLocaleString("en-US")} requests a row from ${CLIENTS} concurrent clients, \`limit=20\`, on \`npm start\`'s stack and the local libSQL server holding the community as at the cut (${world.live.filter(Boolean).length.toLocaleString("en-US")} notes, their hot lists and every like and save before the cut; no product tags), loaded in ${loadSeconds.toFixed(0)} s. Each personal page also writes what it showed (after the response) and leaves it out of the next.`,
      "",
      `Answers other than 200 over the three rows: ${failures.size === 0 ? "none" : [...failures].map(([status, n]) => `${n} × ${status}`).join(", ")}.`,
      "",
      "| route | req/s | p50 ms | p95 ms | p99 ms | p95 ÷ today's |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.rps.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${(r.p95 / (base?.p95 ?? 1)).toFixed(2)}× |`,
      ),
    ].join("\n");
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function benchRecommend(): Promise<string> {
  const started = performance.now();
  const community = generate();
  const generatedIn = (performance.now() - started) / 1000;
  const world = buildWorld(community);
  const offline = evaluate(world);
  const notesLive = world.live.filter(Boolean).length;
  const onlineTable = process.env.BENCH_RECOMMEND_OFFLINE_ONLY
    ? "(not run: BENCH_RECOMMEND_OFFLINE_ONLY)"
    : await online(world);
  return [
    "## recommend: the personalised discover feed and related notes",
    "",
    `**Offline.** A community generated from a fixed seed (\`bench/recommend-data.ts\`, ${((performance.now() - started) / 1000).toFixed(0)} s in all, ${generatedIn.toFixed(0)} s to generate): ${community.tastes.length.toLocaleString("en-US")} shoppers, ${community.notes.length.toLocaleString("en-US")} notes by ${community.creators.length.toLocaleString("en-US")} creators over ${community.topics.length} topics, ${community.shopper.length.toLocaleString("en-US")} engagements (views 55%, likes 25%, saves 12%, comments 8%) over ${community.sizes.days} days, drawn from planted tastes (2–3 topics a shopper, mostly from 12 clusters of 4), with popularity skew, drift (40% of shoppers swap a taste midway) and noise (15% on any topic). Held out: each shopper's engagements after day ${CUT_DAY} on notes that existed then and that they had not engaged with before (${offline.figures.evaluated?.toLocaleString("en-US")} shoppers have some). Profiles, counts, hot lists and co-engagement are built from the days before (${notesLive.toLocaleString("en-US")} notes exist at the cut); the candidates are gathered as the Worker's SQL gathers them, and ranked by the Worker's own \`rankFeed\` and \`rankRelated\`. Every list leaves out the notes the shopper liked or saved, as the Worker does. Hit rate: the share of shoppers with a held-out note in the list of ${K}; coverage: the share of the notes that any list showed; concentration: the share of all list places taken by the top 1% of creators.`,
    "",
    offline.table,
    "",
    "**Online**, through the gateway, in the same run:",
    "",
    onlineTable,
  ].join("\n");
}
