// The short fuzz run over the whole API document against the real `npm start` (dev/fuzz/run.ts): for every
// operation in /openapi.json and every kind of caller, a few generated requests, valid and broken. No 5xx; every
// error a problem+json with a code and the request id; every success a documented status whose body matches its
// schema. The long run is `npm run fuzz` (docs/development.md#the-fuzz-run).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDocument, type DemoCredentials, formatReport, fuzzApi, prepare } from "../../../dev/fuzz/run.ts";
import { type NpmStart, npmStart } from "./npm-start.ts";

// Per operation and credential: enough to reach every operation with valid and broken requests in under a minute.
const RUNS = 2;
// A new seed each run (printed with any failure, so it can be run again with `npm run fuzz -- --seed`).
const SEED = Number(process.env.ZHONGCAO_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let platform: NpmStart;

beforeAll(async () => {
  // Every request comes from this one address: the gateway's rate limits would answer most of them 429.
  process.env.RATE_LIMITS = "off";
  platform = await npmStart("fuzz");
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 30_000);

describe("the API document, fuzzed", () => {
  it("answers every operation's generated requests as documented, with every kind of credential", async () => {
    const doc = (await (await fetch(`${platform.gateway}/openapi.json`)).json()) as ApiDocument;
    const { credentials, pool } = await prepare(platform.gateway, await platform.credentials<DemoCredentials>());
    const report = await fuzzApi({ gateway: platform.gateway, doc, credentials, pool, runs: RUNS, seed: SEED });
    const summary = formatReport(report);
    // Every operation was called, by every credential.
    for (const [operation, count] of report.operations) {
      expect(count.requests, operation).toBe(RUNS * credentials.length);
    }
    expect(report.operations.size).toBeGreaterThan(100);
    expect(report.failures, summary).toEqual([]);
  }, 240_000);
});
