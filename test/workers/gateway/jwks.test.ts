// GET /.well-known/jwks.json and key rotation. Rotation runs against its own database (test/gateway-setup.ts), so the
// tokens other test files hold stay valid; the gateway's per-isolate key cache is dropped after each rotation, as
// 30 seconds passing would.

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { decodeProtectedHeader } from "jose";
import { describe, expect, inject, it } from "vitest";
import { sha256Hex } from "#shared/crypto.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { apiKeys, signingKeys } from "#shared/schema.ts";
import { forgetSigningKeys } from "#shared/signing-keys.ts";
import { rotateSigningKeys } from "#shared/tokens.ts";
import { demo } from "../../../dev/demo.ts";
import { app } from "../../../workers/gateway/src/index.ts";
import { call, post } from "./helpers.ts";

interface Jwks {
  keys: Record<string, string>[];
}

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public half of the current key, briefly cacheable, and the tokens' kid is in it", async () => {
    const res = await call("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    const { keys } = await res.json<Jwks>();
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });
});

describe("signing key rotation", () => {
  const rotationEnv = { ...env, LIBSQL_URL: inject("rotationLibsqlUrl"), LIBSQL_AUTH_TOKEN: "" };
  const rotationDb = database(rotationEnv);
  const gateway = (path: string, init?: RequestInit) => app.request(path, init, rotationEnv, createExecutionContext());

  /** A publishable key of a demo merchant in the rotation database. */
  async function publishableKey(): Promise<string> {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0"));
    const key = `pk_test_${hex.join("")}`;
    await rotationDb.insert(apiKeys).values({
      id: newId("key"),
      merchantId: demo.merchants[0]?.id ?? "",
      kind: "publishable",
      displayPrefix: `${key.slice(0, 12)}…`,
      hash: await sha256Hex(key),
      scopes: [],
      allowedOrigins: [],
    });
    return key;
  }

  async function shopperToken(pk: string): Promise<string> {
    const res = await gateway("/v1/shopper-sessions", post({}, { "x-publishable-key": pk }));
    expect(res.status).toBe(201);
    return (await res.json<{ accessToken: string }>()).accessToken;
  }

  /** The gateway's answer to a public read with this token: 200 when it verifies, 401 when not. */
  const statusWith = async (token: string) =>
    (await gateway("/v1/products?limit=1", { headers: { authorization: `Bearer ${token}` } })).status;

  const kids = async () => (await (await gateway("/.well-known/jwks.json")).json<Jwks>()).keys.map((k) => k.kid);

  it("makes a new current key; the previous one still verifies, the retired one does not", async () => {
    const pk = await publishableKey();
    forgetSigningKeys();
    const first = await shopperToken(pk);
    const firstKid = decodeProtectedHeader(first).kid;
    expect(await statusWith(first)).toBe(200);

    const secondKid = await rotateSigningKeys(rotationDb);
    forgetSigningKeys();
    const second = await shopperToken(pk);
    expect(decodeProtectedHeader(second).kid).toBe(secondKid);
    expect(await kids()).toEqual([secondKid, firstKid]);
    expect(await statusWith(first)).toBe(200);
    expect(await statusWith(second)).toBe(200);

    const thirdKid = await rotateSigningKeys(rotationDb);
    forgetSigningKeys();
    expect(await kids()).toEqual([thirdKid, secondKid]);
    expect(await statusWith(first)).toBe(401);
    expect(await statusWith(second)).toBe(200);
    expect(decodeProtectedHeader(await shopperToken(pk)).kid).toBe(thirdKid);

    // A retired key keeps no private half.
    const [retired] = await rotationDb
      .select()
      .from(signingKeys)
      .where(eq(signingKeys.kid, firstKid ?? ""));
    expect(retired).toMatchObject({ status: "retired", privateJwk: {} });
    expect(retired?.retiredAt).not.toBeNull();
  });
});
