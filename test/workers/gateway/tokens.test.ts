// Attacks on access tokens: each is a 401 problem (unauthorized), never a 500 and never a caller.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { base64url, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { database } from "#shared/db.ts";
import { signingKeys } from "#shared/schema.ts";
import { bearer, call, expectProblem, onboardMerchant, openShopperSession } from "./helpers.ts";

let valid = "";
let shopperId = "";
let kid = "";
let ourKey: CryptoKey;
let ourPublicJwk: Record<string, string>;

beforeAll(async () => {
  const merchant = await onboardMerchant();
  const session = await openShopperSession(merchant.publishableKey.key);
  valid = session.accessToken;
  shopperId = session.shopper?.id ?? "";
  kid = decodeProtectedHeader(valid).kid ?? "";
  // The real private key, read from the database as an insider would: tokens it signs with bad claims must fail.
  const [row] = await database(env).select().from(signingKeys).where(eq(signingKeys.kid, kid));
  if (!row) throw new Error("the token's signing key is not in the database");
  const key = await importJWK(row.privateJwk, "EdDSA");
  if (!(key instanceof CryptoKey)) throw new Error("not a CryptoKey");
  ourKey = key;
  ourPublicJwk = row.publicJwk;
});

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: { iss?: string; aud?: string; exp?: number; nbf?: number; iat?: number } = {}) {
  const t = now();
  return new SignJWT({ role: "shopper", sid: "ses_test" })
    .setSubject(shopperId)
    .setIssuer(overrides.iss ?? "https://zhongcao.local")
    .setAudience(overrides.aud ?? "zhongcao-api")
    .setIssuedAt(overrides.iat ?? t)
    .setNotBefore(overrides.nbf ?? t)
    .setExpirationTime(overrides.exp ?? t + 600);
}

async function expectRefused(token: string) {
  const res = await call("/v1/products?limit=1", { headers: bearer(token) });
  const problem = await expectProblem(res, 401, "unauthorized");
  expect(problem.detail).not.toMatch(/stack|at .*\.ts/);
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe("access tokens", () => {
  it("a genuine one is accepted (the baseline the attacks below differ from)", async () => {
    expect((await call("/v1/products?limit=1", { headers: bearer(valid) })).status).toBe(200);
    const selfSigned = await claims().setProtectedHeader({ alg: "EdDSA", kid }).sign(ourKey);
    expect((await call("/v1/products?limit=1", { headers: bearer(selfSigned) })).status).toBe(200);
  });

  it("alg none is refused", async () => {
    const [, payload] = valid.split(".");
    await expectRefused(`${encode({ alg: "none", typ: "JWT", kid })}.${payload}.`);
  });

  it("HS256 signed with the public key (HS/RS confusion) is refused", async () => {
    const x = ourPublicJwk.x ?? "";
    await expectRefused(await claims().setProtectedHeader({ alg: "HS256", kid }).sign(base64url.decode(x)));
    await expectRefused(
      await claims()
        .setProtectedHeader({ alg: "HS256", kid })
        .sign(new TextEncoder().encode(JSON.stringify(ourPublicJwk))),
    );
  });

  it("RS256 with a foreign key under our kid is refused", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    expect(await exportSPKI(publicKey)).toContain("PUBLIC KEY");
    await expectRefused(await claims().setProtectedHeader({ alg: "RS256", kid }).sign(privateKey));
  });

  it("a foreign Ed25519 key, under our kid or an unknown one, is refused", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    await expectRefused(await claims().setProtectedHeader({ alg: "EdDSA", kid }).sign(privateKey));
    await expectRefused(await claims().setProtectedHeader({ alg: "EdDSA", kid: "ed25519_unknown" }).sign(privateKey));
    await expectRefused(await claims().setProtectedHeader({ alg: "EdDSA" }).sign(privateKey));
  });

  it("our key with the wrong audience or issuer is refused", async () => {
    await expectRefused(await claims({ aud: "someone-else" }).setProtectedHeader({ alg: "EdDSA", kid }).sign(ourKey));
    await expectRefused(
      await claims({ iss: "https://evil.example" }).setProtectedHeader({ alg: "EdDSA", kid }).sign(ourKey),
    );
  });

  it("our key, expired or not yet valid, is refused", async () => {
    const t = now();
    await expectRefused(
      await claims({ iat: t - 3600, nbf: t - 3600, exp: t - 60 })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .sign(ourKey),
    );
    await expectRefused(
      await claims({ nbf: t + 600, exp: t + 1200 })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .sign(ourKey),
    );
  });

  it("one accepted before is refused once it expires, and before its nbf (time claims at every use)", async () => {
    const t = now();
    const shortLived = await claims({ exp: t + 3 })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .sign(ourKey);
    expect((await call("/v1/products?limit=1", { headers: bearer(shortLived) })).status).toBe(200);
    // Seconds only (the keys stay cached for 30 s): the same bytes, accepted a moment ago, admit no one past exp and
    // its 5 s tolerance, nor before nbf less the tolerance.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime((t + 10) * 1000);
      await expectRefused(shortLived);
      vi.setSystemTime((t - 10) * 1000);
      await expectRefused(shortLived);
      vi.setSystemTime((t + 1) * 1000);
      expect((await call("/v1/products?limit=1", { headers: bearer(shortLived) })).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a tampered signature or payload is refused", async () => {
    const [header, payload, signature = ""] = valid.split(".");
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    await expectRefused(`${header}.${payload}.${flipped}`);
    const forgedPayload = encode({
      ...JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? ""))),
      sub: "shp_other",
    });
    await expectRefused(`${header}.${forgedPayload}.${signature}`);
  });

  it("a token with a role we do not issue is refused", async () => {
    const t = now();
    const operatorToken = await new SignJWT({ role: "operator", sid: "ses_x" })
      .setSubject("op")
      .setIssuer("https://zhongcao.local")
      .setAudience("zhongcao-api")
      .setIssuedAt(t)
      .setNotBefore(t)
      .setExpirationTime(t + 600)
      .setProtectedHeader({ alg: "EdDSA", kid })
      .sign(ourKey);
    await expectRefused(operatorToken);
    await expectRefused("not.a.jwt");
  });
});
