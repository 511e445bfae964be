// @zhongcao/client as a storefront gets it: packed by `npm pack` (whose prepack builds dist), installed from the tarball
// into an empty project, used by a TypeScript program that type-checks against the installed declarations only and
// then calls the real `npm start` through the installed JavaScript.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientTarget, tscPath } from "../../dev/client-tsc.ts";
import { demo } from "../../dev/demo.ts";
import { type NpmStart, npmStart } from "./e2e/npm-start.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

// Child npm and node: this Node first (the system one may be older), and none of the outer npm run's settings, which
// name the repository as the local prefix.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") || k === "npm_config_cache"),
);
env.PATH = [path.dirname(process.execPath), path.join(root, "node_modules/.bin"), process.env.PATH].join(
  path.delimiter,
);

/** Runs a command; resolves with its exit code and output instead of throwing on a non-zero exit. */
async function sh(file: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** The consumer's compiler settings: strict, Node's own module resolution, no @types, library declarations checked. */
const typeCheck = (files: string[]) =>
  sh(process.execPath, [tscPath, "--noEmit", "--strict", ...clientTarget, "--verbatimModuleSyntax", ...files], project);

let tmp = "";
let project = "";
let tarball = "";
let packed: string[] = [];
let platform: NpmStart | undefined;

interface Credentials {
  merchants: { publishableKey: string }[];
}

async function pack() {
  const out = path.join(tmp, "pack");
  await mkdir(out);
  const packing = await sh("npm", ["pack", "--json", "--pack-destination", out], path.join(root, "shared/client"));
  expect(packing.code, packing.stderr).toBe(0);
  // What prepack's build prints comes first on stdout; npm's JSON report follows it.
  const report = packing.stdout.slice(packing.stdout.search(/^\[/m));
  const [manifest] = JSON.parse(report) as { filename: string; files: { path: string }[] }[];
  if (!manifest) throw new Error(`npm pack said nothing: ${packing.stdout}`);
  tarball = path.join(out, manifest.filename);
  packed = manifest.files.map((f) => f.path).sort();
  await mkdir(project);
  await writeFile(path.join(project, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
  const installing = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
  expect(installing.code, installing.stderr).toBe(0);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "zhongcao-client-package-"));
  project = path.join(tmp, "storefront");
  // The platform comes up while the package is packed and installed; it is stopped in afterAll whatever fails here.
  const starting = npmStart("client-package").then((started) => {
    platform = started;
  });
  try {
    await pack();
  } finally {
    await starting;
  }
}, 300_000);

afterAll(async () => {
  await platform?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 60_000);

describe("@zhongcao/client, packed and installed", () => {
  it("packs the built ESM, its declarations, the README and package.json, nothing else", () => {
    expect(packed).toEqual(["README.md", "dist/index.d.ts", "dist/index.js", "dist/schema.d.ts", "package.json"]);
  });

  it("installs into an empty project with openapi-fetch, at the repository's version, as its one dependency", async () => {
    const installed = JSON.parse(await readFile(path.join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    const names = Object.keys(installed.packages).filter((p) => p !== "");
    expect(names.sort()).toEqual([
      "node_modules/@zhongcao/client",
      "node_modules/openapi-fetch",
      "node_modules/openapi-typescript-helpers",
    ]);
    const repository = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(installed.packages["node_modules/openapi-fetch"]?.version).toBe(repository.devDependencies["openapi-fetch"]);
    expect(await readdir(path.join(project, "node_modules/@zhongcao/client/dist"))).toEqual([
      "index.d.ts",
      "index.js",
      "schema.d.ts",
    ]);
  });

  it("type-checks a storefront program, then runs it against npm start: a product, a search, a shopper session", async () => {
    if (!platform) throw new Error("no platform");
    const lipstick = demo.products[2];
    const { merchants } = await platform.credentials<Credentials>();
    const publishableKey = merchants[1]?.publishableKey;
    if (!lipstick || !publishableKey) throw new Error("demo data changed");
    // Typed locals (`: number`, `: boolean`) fail to compile unless the answers' types came through the package.
    const program = `import { type components, zhongcao } from "@zhongcao/client";

const baseUrl = ${JSON.stringify(platform.gateway)};
const publishableKey = ${JSON.stringify(publishableKey)};
const api = zhongcao(baseUrl, { publishableKey });

const product = await api.GET("/v1/products/{id}", { params: { path: { id: ${JSON.stringify(lipstick.id)} } } });
if (!product.data) throw new Error(JSON.stringify(product.error));
const sku: components["schemas"]["Sku"] | undefined = product.data.skus[0];
const price: number | undefined = sku?.price.amount;

const missing = await api.GET("/v1/products/{id}", { params: { path: { id: "prod_01JZ9999999999999999999999" } } });
const refusal: string | undefined = missing.error?.code;

const found = await api.GET("/v1/search", { params: { query: { q: "口红", type: "products", limit: 10 } } });
if (!found.data) throw new Error(JSON.stringify(found.error));
const total: number = found.data.totalCount;

const session = await api.POST("/v1/shopper-sessions", { body: {} });
if (!session.data) throw new Error(JSON.stringify(session.error));
const guest: boolean = session.data.shopper.guest;
const shopper = zhongcao(baseUrl, { publishableKey, bearer: session.data.accessToken });
const inbox = await shopper.GET("/v1/notifications");
if (!inbox.data) throw new Error(JSON.stringify(inbox.error));
const unread: number = inbox.data.unreadCount;

console.log(JSON.stringify({
  product: { title: product.data.title, merchantId: product.data.merchantId, price },
  missing: { status: missing.response.status, refusal },
  search: { total, ids: found.data.data.map((hit) => hit.id), titles: found.data.data.map((hit) => hit.title) },
  session: { object: session.data.object, tokenType: session.data.tokenType, guest },
  inbox: { status: inbox.response.status, unread },
}));
`;
    await writeFile(path.join(project, "storefront.ts"), program);
    const checked = await typeCheck(["storefront.ts"]);
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.code).toBe(0);

    const ran = await sh(process.execPath, ["storefront.ts"], project);
    expect(ran.code, ran.stderr).toBe(0);
    const answer = JSON.parse(ran.stdout);
    expect(answer.product).toEqual({
      title: lipstick.title,
      merchantId: demo.merchants[lipstick.merchant - 1]?.id,
      price: lipstick.skus[0]?.price,
    });
    expect(answer.missing).toEqual({ status: 404, refusal: expect.any(String) });
    expect(answer.search.total).toBeGreaterThan(0);
    expect(answer.search.ids).toContain(lipstick.id);
    expect(answer.session).toEqual({ object: "shopper_session", tokenType: "Bearer", guest: true });
    expect(answer.inbox).toEqual({ status: 200, unread: 0 });
  }, 120_000);

  it("refuses a path the API does not have, a body of the wrong shape and an answer used as the wrong type", async () => {
    const lines = [
      `import { zhongcao } from "@zhongcao/client";`,
      `const api = zhongcao("http://127.0.0.1:8787", { publishableKey: "pk_test_x" });`,
      `await api.GET("/v1/prodcts", {});`,
      `await api.DELETE("/v1/search", {});`,
      `await api.POST("/v1/shopper-sessions", { body: { idToken: 42 } });`,
      `await api.GET("/v1/search", { params: { query: { type: "videos" } } });`,
      `const found = await api.GET("/v1/search", { params: { query: { q: "口红" } } });`,
      `const total: string | undefined = found.data?.totalCount;`,
    ];
    await writeFile(path.join(project, "wrong.ts"), `${lines.join("\n")}\n`);
    const checked = await typeCheck(["wrong.ts"]);
    expect(checked.code).not.toBe(0);
    const errors = [...checked.stdout.matchAll(/^wrong\.ts\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map(
      ([, line, code, message]) => ({ line: Number(line), code, message }),
    );
    expect(errors, checked.stdout).toEqual([
      { line: 3, code: "TS2345", message: expect.stringContaining(`'"/v1/prodcts"' is not assignable`) },
      { line: 4, code: "TS2345", message: expect.stringContaining(`'"/v1/search"' is not assignable`) },
      { line: 5, code: "TS2322", message: "Type 'number' is not assignable to type 'string'." },
      { line: 6, code: "TS2322", message: expect.stringContaining(`'"videos"' is not assignable`) },
      { line: 8, code: "TS2322", message: expect.stringContaining("'number | undefined' is not assignable") },
    ]);
  }, 60_000);
});
