// The gateway project's own setup, beside the global one: the operator key its tests use; a local OpenID Connect
// provider (a JWKS over HTTP on a free port, with an RSA, an EC and an Ed25519 key) whose private keys the tests
// sign ID tokens with; and a second libSQL server for the signing-key rotation tests, so that rotating keys there
// never invalidates the tokens other test files hold.
// What it provides is typed once, in test/workers/gateway/env.d.ts.
/// <reference path="./workers/gateway/env.d.ts" />
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import { connect, migrateDatabase } from "../dev/database.ts";
import { startLibsqlServer } from "../dev/libsql-server/server.ts";
import { seedDemoData } from "../dev/seed-data.ts";

async function oidcKeys() {
  const specs = [
    { alg: "RS256", options: { modulusLength: 2048 } },
    { alg: "ES256", options: {} },
    { alg: "EdDSA", options: { crv: "Ed25519" } },
  ];
  const pairs = await Promise.all(
    specs.map(async ({ alg, options }) => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
      const kid = `test-${alg.toLowerCase()}`;
      return {
        alg,
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
        privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
      };
    }),
  );
  return pairs;
}

export default async function setup(project: TestProject) {
  const keys = await oidcKeys();
  const jwks = JSON.stringify({ keys: keys.map((k) => k.publicJwk) });
  const idp = createServer((req, res) => {
    if (req.url === "/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(jwks);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  const { port } = idp.address() as AddressInfo;

  const closeIdp = () => new Promise((resolve) => idp.close(resolve));
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-rotation-"));
  // No teardown is returned from a setup that throws: what it started must end here.
  const rotation = await startLibsqlServer({ host: "127.0.0.1", port: 0, dbPath: path.join(dir, "rotation.db") }).catch(
    async (err: unknown) => {
      await closeIdp();
      await rm(dir, { recursive: true, force: true });
      throw err;
    },
  );
  const db = connect({ url: rotation.url });
  try {
    await migrateDatabase(db);
    await seedDemoData(db);
  } catch (err) {
    db.$client.close();
    await Promise.all([closeIdp(), rotation.close()]);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  db.$client.close();

  project.provide("platformAdminKey", `zc_admin_test_${randomBytes(24).toString("hex")}`);
  project.provide("oidcJwksUrl", `http://127.0.0.1:${port}/jwks.json`);
  project.provide("oidcPrivateJwks", Object.fromEntries(keys.map((k) => [k.alg, k.privateJwk])));
  project.provide("rotationLibsqlUrl", rotation.url);
  return async () => {
    await closeIdp();
    await rotation.close();
    await rm(dir, { recursive: true, force: true });
  };
}
