// `npm run client:build`: shared/client as the installable @zhongcao/client, in shared/client/dist: one ESM file by
// esbuild (openapi-fetch stays an import, the package's one dependency), its declarations by tsc, and the generated
// schema.d.ts beside them. Also run by the package's prepack, so `npm pack` never packs a stale or missing dist.
import { execFileSync } from "node:child_process";
import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { clientTarget, tscPath } from "./client-tsc.ts";

const root = path.resolve(import.meta.dirname, "..");
const client = path.join(root, "shared/client");
const dist = path.join(client, "dist");

await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [path.join(client, "index.ts")],
  outfile: path.join(dist, "index.js"),
  bundle: true,
  packages: "external",
  format: "esm",
  platform: "neutral",
  target: "es2022",
  logLevel: "warning",
});
// Command-line files make tsc ignore the repository's tsconfig: these are the options of the published declarations.
execFileSync(
  process.execPath,
  [
    tscPath,
    path.join(client, "index.ts"),
    "--declaration",
    "--emitDeclarationOnly",
    "--outDir",
    dist,
    ...clientTarget,
    "--strict",
    "--skipLibCheck",
    "--allowImportingTsExtensions",
  ],
  { stdio: "inherit" },
);
// index.d.ts imports it as "./schema.d.ts"; tsc emits nothing for a declaration file it is given.
await copyFile(path.join(client, "schema.d.ts"), path.join(dist, "schema.d.ts"));
console.log(`built ${path.relative(root, dist)}`);
