// `npm run cf-typegen`: each Worker's Env type from its wrangler.toml (`wrangler types`), never written by hand.
// Each Worker is type-checked as its own program (workers/<name>/tsconfig.json) against its own Env.
import { execFileSync } from "node:child_process";
import { offline, workers } from "./workers.ts";

const check = process.argv.includes("--check");

for (const worker of workers) {
  const args = [
    "types",
    "-c",
    worker.config,
    "--include-runtime=false",
    "--strict-vars=false",
    `${worker.dir}/worker-configuration.d.ts`,
  ];
  if (check) args.push("--check");
  execFileSync("wrangler", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, ...offline },
  });
  console.log(`${worker.dir}/worker-configuration.d.ts ${check ? "is up to date" : "written"}`);
}
