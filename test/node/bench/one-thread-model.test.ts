// The one-thread model that calibrates the flash-sale model (bench/one-thread-model.ts): what stalls its thread and
// what its turns share.
import { describe, expect, it } from "vitest";
import { cleanupMsPerMb, gcTrace, simulateThisMachine } from "../../../bench/one-thread-model.ts";

const base = {
  units: 10,
  shards: 1,
  cpuMs: 1,
  syncMs: [0],
  outsideMs: [2],
  pauses: [],
  clientPauses: [],
  seed: 1,
};

describe("the one-thread model", () => {
  it("answers a lone press in its CPU, its sync and its time outside", () => {
    const [answer] = simulateThisMachine({ ...base, arrivals: [0], syncMs: [0.5] });
    expect(answer).toBeCloseTo(1 + 0.5 + 2);
  });

  it("holds every press behind a collection until it ends", () => {
    const answers = simulateThisMachine({ ...base, arrivals: [10, 20, 30, 200], pauses: [{ atMs: 5, ms: 100 }] });
    // Reached at 11, 21 and 31, all waiting for the pause to end at 105; the last is after it.
    expect(answers.slice(0, 3).every((a) => a > 70)).toBe(true);
    expect(answers[3]).toBeCloseTo(3);
  });

  it("commits once per object written in a turn, so presses queued on one shard share a sync", () => {
    // Ten presses reach the thread while a collection holds it; the turn after it runs them all.
    const arrivals = Array.from({ length: 10 }, (_, i) => i);
    const oneShard = simulateThisMachine({ ...base, arrivals, syncMs: [5], pauses: [{ atMs: 0, ms: 50 }] });
    const eightShards = simulateThisMachine({
      ...base,
      arrivals,
      shards: 8,
      syncMs: [5],
      pauses: [{ atMs: 0, ms: 50 }],
    });
    expect(Math.max(...oneShard)).toBeLessThan(Math.max(...eightShards));
    // 50 ms pause, ten presses' CPU, one sync, then half the trip outside.
    expect(Math.max(...oneShard) - Math.min(...oneShard)).toBeLessThan(10);
  });

  it("sends a press due during the load generator's own pause after it", () => {
    const [answer] = simulateThisMachine({ ...base, arrivals: [0], clientPauses: [{ atMs: 0, ms: 20 }] });
    expect(answer).toBeCloseTo(20 + 1 + 2);
  });
});

describe("V8's garbage-collection trace", () => {
  it("reads each pause and places it on this process's clock", () => {
    const trace = gcTrace();
    // Each line reaches this process after its pause; the least delayed sets the isolate's clock.
    const from = performance.now() - 1000;
    trace.output(
      "[42:0x1234]     1000 ms: Scavenge 13.2 (17.4) -> 7.4 (17.9) MB, pooled: 0.0 MB, 5.07 / 0.00 ms (average mu = 1.000) allocation failure;\n",
    );
    trace.output(
      "[42:0x1234]     1100 ms: Mark-Compact 38.7 (58.3) -> 13.1 (56.3) MB, pooled: 2.0 MB, 99.43 / 0.00 ms (average",
    );
    trace.output(" mu = 0.990) allocation limit\nsome other log line\n");
    const pauses = trace.between(from, performance.now());
    expect(pauses.map((p) => p.ms)).toEqual([5.07, 99.43]);
    expect(pauses.map((p) => [p.kind, p.isolate, p.freedMb.toFixed(1)])).toEqual([
      ["young", "0x1234", "5.8"],
      ["full", "0x1234", "25.6"],
    ]);
    // The second ended 100 ms after the first on the isolate's clock.
    const [first, second] = pauses;
    expect((second?.atMs ?? 0) + 99.43 - ((first?.atMs ?? 0) + 5.07)).toBeCloseTo(100, 0);
  });
});

describe("a collection's aftermath", () => {
  // Presses 2 ms apart, 1 ms of the thread's CPU each, but where a collection's pause and aftermath land.
  const presses = (extra: Map<number, number>) => {
    let threadMs = 0;
    return Array.from({ length: 200 }, (_, i) => {
      const press = { at: 1000 + i * 2, threadMs };
      threadMs += 1 + (extra.get(i) ?? 0);
      return press;
    });
  };
  const young = { atMs: 100, ms: 5, freedMb: 10, kind: "young" as const, isolate: "a" };

  it("is the thread's CPU around a young collection beyond its pause, per MB freed, for its isolate", () => {
    // The collection (5 ms) and 20 ms of destroying what it freed, in the spans starting at 100 and 102.
    const cpu = presses(
      new Map([
        [50, 15],
        [51, 10],
      ]),
    );
    expect(cleanupMsPerMb(cpu, [young], 1000).get("a")).toBeCloseTo(2);
  });

  it("leaves the spans of a full collection out of a young one's", () => {
    const full = { atMs: 160, ms: 40, freedMb: 30, kind: "full" as const, isolate: "a" };
    const cpu = presses(
      new Map([
        [50, 15],
        [51, 10],
        [80, 45],
      ]),
    );
    const aftermath = cleanupMsPerMb(cpu, [young, full], 1000);
    expect(aftermath.get("a")).toBeCloseTo(2);
    expect(aftermath.size).toBe(1);
  });
});
