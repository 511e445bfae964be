// The whole platform on one machine: the libSQL server on its file, migrations, demo data, and every Worker in one
// `wrangler dev` (one workerd process). Used by `npm start` and by the end-to-end tests, so they run the same thing.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { ensureSigningKey } from "../shared/tokens.ts";
import { connect, migrateDatabase } from "./database.ts";
import { spawnLibsqlServer } from "./libsql-server/spawn.ts";
import { freePort } from "./ports.ts";
import { type DemoCredentials, seedDemoData } from "./seed-data.ts";
import { offline, workers, wranglerBin } from "./workers.ts";

export interface PlatformOptions {
  port: number;
  libsqlPort: number;
  dataDir: string;
  /** Where wrangler's and the database server's output goes. */
  stdio: "inherit" | "ignore";
}

export interface Platform {
  gatewayUrl: string;
  libsqlUrl: string;
  credentials: DemoCredentials;
  /** The operator key (PLATFORM_ADMIN_KEY) the gateway was started with. */
  operatorKey: string;
  credentialsFile: string;
  /** Resolves when either child exits by itself (a crash), with its name. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

// The local database server checks a bearer JWT the way Turso does; the key pair lives in the data folder.
async function localAuth(dataDir: string): Promise<{ publicKeyPem: string; token: string }> {
  const file = path.join(dataDir, "libsql-auth-key.json");
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, "utf8")) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    privateJwk = await exportJWK(privateKey);
    await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const privateKey = await importJWK(privateJwk, "EdDSA");
  const publicKey = await importJWK(publicJwk, "EdDSA");
  if (!(publicKey instanceof CryptoKey)) throw new Error("unexpected key type");
  const token = await new SignJWT({ a: "rw" })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("30d")
    .sign(privateKey);
  return { publicKeyPem: await exportSPKI(publicKey), token };
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

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

async function waitForHealth(url: string, wrangler: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited with code ${wrangler.exitCode}`);
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

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = waitForExit(child);
  // wrangler starts workerd as its own child: signal the whole process group.
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
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
  let wrangler: ChildProcess | undefined;
  try {
    const client = connect({ url: db.url, authToken: auth.token });
    await migrateDatabase(client);
    const credentials = await seedDemoData(client);
    // The token signing key, before the first request needs it (the gateway would also make one, race-safely).
    await ensureSigningKey(client);
    client.$client.close();

    const gatewayUrl = `http://127.0.0.1:${options.port}`;
    const credentialsFile = path.join(dataDir, "demo-credentials.json");
    await writeFile(
      credentialsFile,
      `${JSON.stringify({ gatewayUrl, libsqlUrl: db.url, operatorKey: adminKey, ...credentials }, null, 2)}\n`,
    );

    wrangler = spawn(
      process.execPath,
      [
        wranglerBin,
        "dev",
        ...workers.flatMap((w) => ["-c", w.config]),
        "--ip",
        "127.0.0.1",
        "--port",
        String(options.port),
        "--persist-to",
        path.join(dataDir, "wrangler"),
        "--show-interactive-dev-session=false",
        "--log-level",
        "info",
      ],
      {
        detached: true,
        stdio: ["ignore", options.stdio, options.stdio],
        env: {
          ...process.env,
          // Every Worker's [vars] and secrets may come from the environment (see the [secrets] table in each config).
          LIBSQL_URL: db.url,
          LIBSQL_AUTH_TOKEN: auth.token,
          PLATFORM_ADMIN_KEY: adminKey,
          WEBHOOK_SECRETS_KEY: webhookSecretsKey,
          // The live Worker's LiveKit API secret (live issue): the `livekit-server --dev` one unless set.
          LIVEKIT_API_SECRET: process.env.LIVEKIT_API_SECRET ?? "secret",
          // Local receivers for merchant webhooks (http, loopback): allowed locally, refused by default when deployed.
          WEBHOOK_ALLOW_PRIVATE_URLS: process.env.WEBHOOK_ALLOW_PRIVATE_URLS ?? "true",
          ...offline,
          NO_UPDATE_NOTIFIER: "1",
        },
      },
    );
    const running = wrangler;
    await waitForHealth(gatewayUrl, running, 120_000);

    const exited = Promise.race([
      waitForExit(running).then(() => "wrangler dev"),
      waitForExit(db.child).then(() => "the libSQL server"),
    ]);
    return {
      gatewayUrl,
      libsqlUrl: db.url,
      credentials,
      operatorKey: adminKey,
      credentialsFile,
      exited,
      async stop() {
        await stopGroup(running);
        await db.stop();
      },
    };
  } catch (err) {
    if (wrangler) await stopGroup(wrangler);
    await db.stop();
    throw err;
  }
}

/** The whole platform on free ports over a temporary data folder, for `run`; stopped and removed whatever happens. */
export async function withTemporaryPlatform<T>(name: string, run: (platform: Platform) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `zhongcao-${name}-`));
  const platform = await startPlatform({
    port: await freePort(),
    libsqlPort: await freePort(),
    dataDir,
    stdio: "ignore",
  });
  try {
    return await run(platform);
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
