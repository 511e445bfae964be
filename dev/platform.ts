// The whole platform on one machine: the libSQL server on its file, migrations, demo data, and every Worker with its
// Durable Objects in one workerd (dev/runtime.ts). Used by `npm start`, `npm run dev`, the end-to-end tests and the
// benchmarks, so they run the same thing.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, type JWK } from "jose";
import { ensureSigningKey } from "#shared/tokens.ts";
import { connect, localAuthKeyFile, migrateDatabase, signLocalToken } from "./database.ts";
import { attachDemoImages } from "./demo-images.ts";
import { spawnLibsqlServer } from "./libsql-server/spawn.ts";
import { freePort } from "./ports.ts";
import { exitOf, type Output, type Runtime, startBundles, startWranglerDev } from "./runtime.ts";
import { allowDemoOrigins, type DemoCredentials, seedDemoData } from "./seed-data.ts";

export interface PlatformOptions {
  port: number;
  libsqlPort: number;
  dataDir: string;
  /** Where the Workers' output goes: this process's, nowhere, or a function that reads it as it comes. */
  stdio: Output;
  /** `wrangler dev`, rebuilding and reloading on every edit (`npm run dev`), rather than the deploy bundles. */
  reload?: boolean;
}

export interface Platform {
  gatewayUrl: string;
  libsqlUrl: string;
  credentials: DemoCredentials;
  /** The operator key (PLATFORM_ADMIN_KEY) the gateway was started with. */
  operatorKey: string;
  credentialsFile: string;
  /** Resolves when the Workers' runtime or the database server ends by itself (a crash), with its name. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

// The local database server checks a bearer JWT the way Turso does; the key pair lives in the data folder.
async function localAuth(dataDir: string): Promise<{ publicKeyPem: string; token: string }> {
  const file = localAuthKeyFile(dataDir);
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, "utf8")) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    privateJwk = await exportJWK(privateKey);
    await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const publicKey = await importJWK(publicJwk, "EdDSA");
  if (!(publicKey instanceof CryptoKey)) throw new Error("unexpected key type");
  return { publicKeyPem: await exportSPKI(publicKey), token: await signLocalToken(privateJwk, "30d") };
}

// The operator key: PLATFORM_ADMIN_KEY from the environment if set, else one minted on the first start and kept in
// the data folder (so it survives restarts, and deleting .data/ replaces it).
/**
 * A local secret: from the environment if set there, else the one kept in the data folder (made on first start), so
 * it stays the same across restarts (the webhook secrets key must, or sealed secrets could not be read again).
 */
async function localSecret(
  dataDir: string,
  name: "PLATFORM_ADMIN_KEY" | "WEBHOOK_SECRETS_KEY",
  prefix: string,
): Promise<string> {
  const fromEnv = process.env[name];
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, name.toLowerCase().replaceAll("_", "-"));
  try {
    const stored = (await readFile(file, "utf8")).trim();
    if (stored) return stored;
  } catch {
    // first start
  }
  const key = `${prefix}${randomBytes(24).toString("hex")}`;
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function waitForHealth(url: string, runtime: Runtime, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  let ended = false;
  void runtime.exited.then(() => {
    ended = true;
  });
  while (Date.now() < deadline) {
    if (ended) throw new Error("the Workers' runtime exited");
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the gateway did not become healthy within ${timeoutMs} ms: ${last}`);
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const auth = await localAuth(dataDir);
  const adminKey = await localSecret(dataDir, "PLATFORM_ADMIN_KEY", "zc_admin_local_");
  const webhookSecretsKey = await localSecret(dataDir, "WEBHOOK_SECRETS_KEY", "zc_webhook_key_local_");
  const db = await spawnLibsqlServer({
    dbPath: path.join(dataDir, "zhongcao.db"),
    port: options.libsqlPort,
    // By environment rather than argument: a PEM key starts with dashes.
    env: { LIBSQL_AUTH_JWT_KEY: auth.publicKeyPem },
  });
  let runtime: Runtime | undefined;
  try {
    const client = connect({ url: db.url, authToken: auth.token });
    await migrateDatabase(client);
    const credentials = await seedDemoData(client);
    const gatewayUrl = `http://127.0.0.1:${options.port}`;
    // The storefront the gateway serves is a page of its own origin: the demo keys must work there, on any port.
    await allowDemoOrigins(client, [gatewayUrl, `http://localhost:${options.port}`]);
    // The token signing key, before the first request needs it (the gateway would also make one, race-safely).
    await ensureSigningKey(client);
    client.$client.close();

    const credentialsFile = path.join(dataDir, "demo-credentials.json");
    await writeFile(
      credentialsFile,
      `${JSON.stringify({ gatewayUrl, libsqlUrl: db.url, operatorKey: adminKey, ...credentials }, null, 2)}\n`,
    );

    const start = options.reload ? startWranglerDev : startBundles;
    runtime = await start({
      port: options.port,
      dataDir,
      stdio: options.stdio,
      env: {
        // Every Worker's [vars] and secrets may come from the environment (see the [secrets] table in each config).
        LIBSQL_URL: db.url,
        LIBSQL_AUTH_TOKEN: auth.token,
        PLATFORM_ADMIN_KEY: adminKey,
        WEBHOOK_SECRETS_KEY: webhookSecretsKey,
        // Uploaded images are served by this gateway; their URLs are stored with this address.
        MEDIA_URL: process.env.MEDIA_URL ?? `${gatewayUrl}/media`,
        // The live Worker's LiveKit API secret (live issue): the `livekit-server --dev` one unless set.
        LIVEKIT_API_SECRET: process.env.LIVEKIT_API_SECRET ?? "secret",
        // The sandbox payment provider (test mode only) signs with this; none is shipped, so it is off when deployed.
        SANDBOX_WEBHOOK_SECRET: process.env.SANDBOX_WEBHOOK_SECRET || "whsec_sandbox_local_only",
        // Local receivers for merchant webhooks (http, loopback): allowed locally, refused by default when deployed.
        WEBHOOK_ALLOW_PRIVATE_URLS: process.env.WEBHOOK_ALLOW_PRIVATE_URLS ?? "true",
      },
    });
    const running = runtime;
    await waitForHealth(gatewayUrl, running, 120_000);
    // The demo's pictures go in through the API, so the Workers must be up first (dev/demo-images.ts).
    await attachDemoImages(gatewayUrl, credentials);

    const exited = Promise.race([
      running.exited.then(() => "the Workers' runtime"),
      exitOf(db.child).then(() => "the libSQL server"),
    ]);
    // A process that exits without stopping the platform (process.exit() on a signal, a failed run) still signals
    // it; the children's own watch on this process (dev/lifeline.ts) covers the deaths no handler sees.
    const killOnExit = () => {
      running.kill();
      db.child.kill("SIGTERM");
    };
    process.once("exit", killOnExit);
    return {
      gatewayUrl,
      libsqlUrl: db.url,
      credentials,
      operatorKey: adminKey,
      credentialsFile,
      exited,
      async stop() {
        process.off("exit", killOnExit);
        await running.stop();
        await db.stop();
      },
    };
  } catch (err) {
    await runtime?.stop();
    await db.stop();
    throw err;
  }
}

/** The whole platform on free ports over a temporary data folder, for `run`; stopped and removed whatever happens. */
export async function withTemporaryPlatform<T>(
  name: string,
  run: (platform: Platform) => Promise<T>,
  stdio: Output = "ignore",
): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `zhongcao-${name}-`));
  const platform = await startPlatform({
    port: await freePort(),
    libsqlPort: await freePort(),
    dataDir,
    stdio,
  }).catch(async (err: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    return await run(platform);
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
