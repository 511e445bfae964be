// This machine, modelled, for the flash-sale model's calibration (bench/flash-model.ts): one workerd thread serving the
// gateway, the Workers and every shard, with the syncs of the objects' commits and the garbage collections V8 reports
// stalling it. The model and its assumptions: docs/design/flash-sales.md#the-production-model.
import { percentile } from "./stats.ts";

/** A seeded generator, so a run's figures follow from its measurements alone. */
export function generator(seed: number): () => number {
  let state = seed || 1;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

export const pick = (samples: number[], random: () => number) => samples[Math.floor(random() * samples.length)] ?? 0;

export interface LocalModelInput {
  /** Arrival times at the gateway, ms, ascending. */
  arrivals: number[];
  units: number;
  shards: number;
  /** workerd's CPU for one press, ms (gateway, checkout Worker and the object's decision). */
  cpuMs: number;
  /** Samples of one commit's sync to disk, ms: workerd syncs an object's write-ahead log on its one thread. */
  syncMs: number[];
  /** Samples of a press's time outside workerd's thread, ms (the client, the sockets). */
  outsideMs: number[];
  /** The thread's garbage-collection pauses during the run: start, ms after the first arrival's time 0, and length. */
  pauses: Pause[];
  /** The load generator's own: a press due during one is sent after it, an answer arriving during one read after it. */
  clientPauses: Pause[];
  seed: number;
}

export interface Pause {
  atMs: number;
  ms: number;
}

/**
 * This machine, modelled: one workerd thread for the gateway, the Workers and every shard. When free, it takes every
 * press that has reached it, runs them (each its CPU; a short shard asks its peers in turn, each asked peer writing and
 * so committing), then commits each object written in that turn, one sync each, before any answer leaves (the output
 * gate). A slow sync stalls everything behind it, and the presses that queued meanwhile share the next turn's commits.
 * The run's garbage collections stop the thread too, at the times and for the lengths V8 reported.
 * Design: docs/design/flash-sales.md#the-production-model.
 */
export function simulateThisMachine(input: LocalModelInput): number[] {
  const random = generator(input.seed);
  const k = input.shards;
  const stock = Array.from({ length: k }, (_, i) => Math.floor(input.units / k) + (i < input.units % k ? 1 : 0));
  const batch = Math.max(1, Math.ceil(input.units / k / 4));
  const client = [...input.clientPauses].sort((a, b) => a.atMs - b.atMs);
  /** `at`, or the end of the load generator's pause it falls in. */
  const resumed = (at: number) => {
    const p = client.find((c) => c.atMs <= at && at < c.atMs + c.ms);
    return p ? p.atMs + p.ms : at;
  };
  const presses = input.arrivals
    .map((arrival) => {
      const outside = pick(input.outsideMs, random);
      return { arrival, outside, shard: Math.floor(random() * k), reach: resumed(arrival) + outside / 2 };
    })
    .sort((a, b) => a.reach - b.reach);
  // Peers a shard has heard are empty: it does not ask them again.
  const emptyPeers = Array.from({ length: k }, () => new Set<number>());
  const pauses = [...input.pauses].sort((a, b) => a.atMs - b.atMs);
  let pause = 0;
  const answerMs: number[] = [];
  let freeAt = 0;
  for (let next = 0; next < presses.length; ) {
    let start = Math.max(freeAt, presses[next]?.reach ?? 0);
    // A collection that began while the thread was idle holds the next turn back until it ends.
    for (let p = pauses[pause]; p && p.atMs <= start; p = pauses[++pause]) {
      freeAt = Math.max(freeAt, p.atMs) + p.ms;
      start = Math.max(freeAt, presses[next]?.reach ?? 0);
    }
    let busy = 0;
    const written = new Set<number>();
    const turn: typeof presses = [];
    for (let press = presses[next]; press && press.reach <= start; press = presses[++next]) {
      busy += input.cpuMs;
      const shard = press.shard;
      for (let step = 1; step < k && stock[shard] === 0; step++) {
        const peer = (shard + step) % k;
        if (emptyPeers[shard]?.has(peer)) continue;
        // The peer's answer waits for its own commit (its output gate): one sync on the thread per peer asked.
        busy += pick(input.syncMs, random);
        const moved = Math.min(batch, stock[peer] ?? 0);
        stock[peer] = (stock[peer] ?? 0) - moved;
        stock[shard] = (stock[shard] ?? 0) + moved;
        if (stock[peer] === 0) emptyPeers[shard]?.add(peer);
      }
      if ((stock[shard] ?? 0) > 0) stock[shard] = (stock[shard] ?? 0) - 1;
      written.add(shard);
      turn.push(press);
    }
    for (const _ of written) busy += pick(input.syncMs, random);
    freeAt = start + busy;
    // One that began during the turn lengthens it.
    for (let p = pauses[pause]; p && p.atMs < freeAt; p = pauses[++pause]) freeAt += p.ms;
    for (const press of turn) answerMs.push(resumed(freeAt + press.outside / 2) - press.arrival);
  }
  return answerMs;
}

/**
 * workerd's garbage collections, read from V8's trace (`--trace-gc`) in the runtime's output as it comes. Each one stops
 * the one thread. A line gives the isolate, its own clock (ms since it started), the heap before and after, and the
 * pause; each isolate's clock is set against this process's by its least delayed line.
 */
export function gcTrace() {
  const lines: { isolate: string; endMs: number; ms: number; freedMb: number; kind: Kind; received: number }[] = [];
  let partial = "";
  const output = (text: string) => {
    const received = performance.now();
    const chunk = (partial + text).split("\n");
    partial = chunk.pop() ?? "";
    for (const line of chunk) {
      const m =
        /\[\d+:(0x[0-9a-f]+)\]\s+([\d.]+) ms: ([A-Z][\w -]*?) ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB.*?, ([\d.]+) \/ [\d.]+ ms/.exec(
          line,
        );
      if (m?.[1] && m[2] && m[3] && m[4] && m[5] && m[6]) {
        const freedMb = Math.max(0, Number(m[4]) - Number(m[5]));
        const kind = m[3].startsWith("Scavenge") ? "young" : "full";
        lines.push({ isolate: m[1], endMs: Number(m[2]), ms: Number(m[6]), freedMb, kind, received });
      }
    }
  };
  /** The pauses that ended between `from` and `to` (this process's clock), their starts counted from `from`. */
  const between = (from: number, to: number): Collection[] => {
    const origin = new Map<string, number>();
    for (const l of lines) origin.set(l.isolate, Math.min(origin.get(l.isolate) ?? l.received, l.received - l.endMs));
    return lines
      .map((l) => ({ ...l, end: (origin.get(l.isolate) ?? 0) + l.endMs }))
      .filter((l) => l.end >= from && l.end <= to)
      .map((l) => ({ atMs: l.end - l.ms - from, ms: l.ms, freedMb: l.freedMb, kind: l.kind, isolate: l.isolate }));
  };
  return { output, between };
}

/** A young-generation collection (scavenge) or a full one (mark-compact). */
type Kind = "young" | "full";

/** A collection as V8 reports it: its pause, and the heap it freed. */
export interface Collection extends Pause {
  freedMb: number;
  kind: Kind;
  isolate: string;
}

/**
 * What workerd spends after a young collection (a scavenge), ms per MB it freed, for each isolate: the objects behind
 * the dead wrappers (a request's headers, bodies, streams) are destroyed on the thread once V8 is done, outside the
 * pause V8 reports, and each isolate holds its own kind of objects. Estimated from presses sent one at a time: the
 * thread's CPU from one press's start to the next, less the typical one, goes to the collection whose start is
 * nearest (within `leadMs` before it, as a trace line's time may be late by that much, to `tailMs` after its end);
 * less the collection's own pause, over the MB it freed. `presses`: each press's start (this process's clock, ms) and the thread's CPU then (ms);
 * `collections`: those of the same presses, their starts counted from `from`.
 */
export function cleanupMsPerMb(
  presses: { at: number; threadMs: number }[],
  collections: Collection[],
  from: number,
  window = { leadMs: 15, tailMs: 60 },
): Map<string, number> {
  const spans = presses.slice(0, -1).map((press, i) => ({
    at: press.at - from,
    cpu: (presses[i + 1]?.threadMs ?? press.threadMs) - press.threadMs,
  }));
  const typical = percentile(
    spans.map((s) => s.cpu).sort((a, b) => a - b),
    50,
  );
  const extra = new Map<Collection, number>();
  for (const span of spans) {
    const near = collections
      .filter((c) => span.at >= c.atMs - window.leadMs && span.at <= c.atMs + c.ms + window.tailMs)
      .sort((a, b) => Math.abs(a.atMs - span.at) - Math.abs(b.atMs - span.at))[0];
    if (near) extra.set(near, (extra.get(near) ?? 0) + span.cpu - typical);
  }
  const byIsolate = new Map<string, { ms: number; mb: number }>();
  // Young collections only: a full one is rare one press at a time, and its spans are kept out of the young ones'.
  for (const c of collections.filter((c) => c.kind === "young")) {
    const sum = byIsolate.get(c.isolate) ?? { ms: 0, mb: 0 };
    sum.ms += (extra.get(c) ?? 0) - c.ms;
    sum.mb += c.freedMb;
    byIsolate.set(c.isolate, sum);
  }
  return new Map([...byIsolate].map(([isolate, { ms, mb }]) => [isolate, mb > 0 ? Math.max(0, ms) / mb : 0]));
}
