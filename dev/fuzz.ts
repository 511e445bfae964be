// `npm run fuzz -- --runs 200`: the long fuzz run over the whole API document (dev/fuzz/run.ts) against the
// platform `npm start` runs, on free ports over a temporary data folder, stopped and removed at the end (Ctrl-C ends
// the run early and still prints what it found). Prints the requests per operation and each failure with the seed
// that makes its request again. Options: --runs N (per operation and credential, default 100), --seed S,
// --only "POST /v1/carts" (operations whose name contains it), --concurrency C (default 4).
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type ApiDocument, type DemoCredentials, formatReport, fuzzApi, prepare } from "./fuzz/run.ts";
import { withTemporaryPlatform } from "./platform.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    seed: { type: "string" },
    only: { type: "string" },
    concurrency: { type: "string", default: "4" },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
let stopping = false;
process.on("SIGINT", () => {
  // The first Ctrl-C ends the run and prints it; a second one leaves at once (the platform ends with this process).
  if (stopping) process.exit(130);
  stopping = true;
  console.error("stopping after the requests in flight…");
});

// Every request comes from one address: the gateway's rate limits would answer most of them 429.
process.env.RATE_LIMITS = "off";
const started = Date.now();
const report = await withTemporaryPlatform("fuzz", async (platform) => {
  const demo = JSON.parse(await readFile(platform.credentialsFile, "utf8")) as DemoCredentials;
  const doc = (await (await fetch(`${platform.gatewayUrl}/openapi.json`)).json()) as ApiDocument;
  const { credentials, pool } = await prepare(platform.gatewayUrl, demo);
  console.error(`fuzzing ${platform.gatewayUrl} as ${credentials.map((c) => c.name).join(", ")}; seed ${seed}`);
  let shown = 0;
  return fuzzApi({
    gateway: platform.gatewayUrl,
    doc,
    credentials,
    pool,
    runs,
    seed,
    concurrency: Number(values.concurrency),
    only: values.only,
    stop: () => stopping,
    progress: (done, total) => {
      if (done - shown >= 1000 || done === total) {
        shown = done;
        console.error(`${done}/${total} requests, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    },
  });
});
console.log(formatReport(report));
console.log(`${Math.round((Date.now() - started) / 1000)} s in all.`);
process.exitCode = report.failures.length === 0 ? 0 : 1;
