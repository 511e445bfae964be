// JWT auth like sqld: Ed25519 public key, EdDSA tokens, exp honoured, algorithm pinned.
import { rmSync } from "node:fs";
import { LibsqlError } from "@libsql/client";
import type { CryptoKey } from "jose";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLibsqlServer } from "../../../dev/libsql-server/server.ts";
import type { TestServer } from "./helpers.ts";
import { clientKinds, rejection, startTestServer, tempDir } from "./helpers.ts";

let privateKey: CryptoKey;
let publicRaw: string; // base64url raw 32-byte key, the format sqld's --auth-jwt-key takes
let publicPem: string;
let otherKey: CryptoKey;
let server: TestServer;

const sign = (key: CryptoKey, claims: Record<string, unknown> = {}, exp: string | number = "1h") =>
  new SignJWT({ a: "rw", ...claims })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  privateKey = pair.privateKey;
  const jwk = await exportJWK(pair.publicKey);
  publicRaw = String(jwk.x);
  publicPem = await exportSPKI(pair.publicKey);
  otherKey = (await generateKeyPair("EdDSA", { crv: "Ed25519" })).privateKey;
  server = await startTestServer({ authJwtKey: publicRaw });
});
afterAll(() => server.cleanup());

describe.each(clientKinds)("auth with @libsql/client (%s)", (_kind, createClient) => {
  const query = async (authToken?: string) => {
    const db = createClient(authToken === undefined ? { url: server.url } : { url: server.url, authToken });
    try {
      return await db.execute("SELECT 1 AS one");
    } finally {
      db.close();
    }
  };
  const expectUnauthorized = async (authToken?: string) => {
    const err = await rejection(query(authToken));
    expect(err).toBeInstanceOf(LibsqlError);
    // sqld answers 401 with {"error": ...}; the client surfaces that as SERVER_ERROR / HTTP status 401.
    expect(err.code).toBe("SERVER_ERROR");
    expect(err.message).toContain("401");
  };

  it("accepts a valid EdDSA token", async () => {
    expect((await query(await sign(privateKey))).rows[0]?.one).toBe(1);
    // No exp claim at all is fine too (sqld only checks exp when present).
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
    expect((await query(noExp)).rows[0]?.one).toBe(1);
  });
  it("rejects a missing token", () => expectUnauthorized());
  it("rejects a token signed by another key", async () => expectUnauthorized(await sign(otherKey)));
  it("rejects an expired token", async () =>
    expectUnauthorized(await sign(privateKey, {}, Math.floor(Date.now() / 1000) - 60)));
  it("rejects HS256 (even keyed with the public key bytes) and alg none", async () => {
    const hs = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(publicRaw, "base64url"));
    await expectUnauthorized(hs);
    await expectUnauthorized(new UnsecuredJWT({}).encode());
  });
  it("rejects a tampered token", async () => {
    const [h, , s] = (await sign(privateKey)).split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ a: "rw", admin: true })).toString("base64url")}.${s}`;
    await expectUnauthorized(forged);
  });
});

describe("auth endpoints and key formats", () => {
  it("leaves /health open, guards everything else, and logs one line per rejection", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const before = server.logs.length;
    const res = await fetch(`${server.url}/v2`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/^Unauthorized/) });
    expect(server.logs.length).toBe(before + 1);
    expect(
      (
        await fetch(`${server.url}/v2`, {
          headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
        })
      ).status,
    ).toBe(401);
    expect(
      (await fetch(`${server.url}/v2`, { headers: { authorization: `Bearer ${await sign(privateKey)}` } })).status,
    ).toBe(200);
  });

  it("accepts the public key as PEM or JWK, and refuses a malformed key at startup", async () => {
    const jwk = JSON.stringify({ kty: "OKP", crv: "Ed25519", x: publicRaw });
    for (const authJwtKey of [publicPem, jwk, Buffer.from(publicRaw, "base64url").toString("base64")]) {
      const s = await startTestServer({ authJwtKey });
      try {
        const ok = await fetch(`${s.url}/v2`, { headers: { authorization: `Bearer ${await sign(privateKey)}` } });
        expect(ok.status).toBe(200);
        const bad = await fetch(`${s.url}/v2`, { headers: { authorization: `Bearer ${await sign(otherKey)}` } });
        expect(bad.status).toBe(401);
      } finally {
        await s.cleanup();
      }
    }
    const dir = tempDir();
    await expect(startLibsqlServer({ port: 0, dbPath: `${dir}/x.db`, authJwtKey: "not-a-key" })).rejects.toThrow(
      /JWT key/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
