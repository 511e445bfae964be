// Once per test run: a real libSQL server (the dev/ one) on a free port over a temporary file, with JWT auth on,
// migrated and seeded; its URL and a token are handed to every project with provide().
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import type { TestProject } from "vitest/node";
import { buildPages } from "../dev/build-pages.ts";
import { connect, migrateDatabase } from "../dev/database.ts";
import { startLibsqlServer } from "../dev/libsql-server/server.ts";
import { seedDemoData } from "../dev/seed-data.ts";

declare module "vitest" {
  export interface ProvidedContext {
    libsqlUrl: string;
    libsqlAuthToken: string;
  }
}

export default async function setup(project: TestProject) {
  // The gateway imports the storefront and merchant pages' bundled scripts (wrangler builds them itself elsewhere).
  await buildPages();
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-test-"));
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const token = await new SignJWT({ a: "rw" })
    .setProtectedHeader({ alg: "EdDSA" })
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey);
  const server = await startLibsqlServer({
    host: "127.0.0.1",
    port: 0,
    dbPath: path.join(dir, "test.db"),
    authJwtKey: await exportSPKI(publicKey),
  });
  const db = connect({ url: server.url, authToken: token });
  try {
    await migrateDatabase(db);
    await seedDemoData(db);
  } catch (err) {
    // No teardown is returned from a setup that throws: what it started must end here.
    db.$client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  db.$client.close();

  project.provide("libsqlUrl", server.url);
  project.provide("libsqlAuthToken", token);
  return async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
}
