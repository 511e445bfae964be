// Signing in with an ID token from an operator-configured OpenID Connect issuer. The issuer is a local one
// (test/gateway-setup.ts serves its JWKS over HTTP with an RSA, an EC and an Ed25519 key); the gateway fetches that
// JWKS like it would Google's or Apple's.
import { importJWK, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, expectProblem, onboardMerchant, operator, post, type Session } from "./helpers.ts";

const jwksUrl = inject("oidcJwksUrl");
const privateJwks = inject("oidcPrivateJwks");
const run = crypto.randomUUID().slice(0, 8);
const shopperIssuer = `https://id.example.com/${run}/shoppers`;
const creatorIssuer = `https://id.example.com/${run}/creators`;
const audience = "zhongcao-storefront";
let pk = "";

async function configure(issuer: string, role: "shopper" | "creator") {
  const res = await call("/v1/oidc-issuers", post({ issuer, jwksUrl, audience, role }, operator()));
  expect(res.status).toBe(201);
  expect(await res.json()).toMatchObject({ object: "oidc_issuer", issuer, role });
}

beforeAll(async () => {
  pk = (await onboardMerchant()).publishableKey.key;
  await configure(shopperIssuer, "shopper");
  await configure(creatorIssuer, "creator");
});

async function idToken(options: {
  alg?: string;
  iss?: string;
  aud?: string;
  sub?: string;
  exp?: number;
  kid?: string;
}) {
  const alg = options.alg ?? "ES256";
  const jwk = privateJwks[alg] as JWK;
  const key = await importJWK(jwk, alg);
  const t = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: "王小美" })
    .setProtectedHeader({ alg, kid: options.kid ?? jwk.kid ?? "" })
    .setIssuer(options.iss ?? shopperIssuer)
    .setAudience(options.aud ?? audience)
    .setSubject(options.sub ?? "user-1")
    .setIssuedAt(t)
    .setExpirationTime(options.exp ?? t + 300)
    .sign(key);
}

const shopperSignIn = (token: string) =>
  call("/v1/shopper-sessions", post({ idToken: token }, { "x-publishable-key": pk }));

describe("OIDC sign-in", () => {
  it("gives one shopper per (issuer, subject), with RS256, ES256 and EdDSA keys of the issuer's JWKS", async () => {
    const sub = `shopper-${run}`;
    const ids = new Set<string>();
    for (const alg of ["RS256", "ES256", "EdDSA"]) {
      const res = await shopperSignIn(await idToken({ alg, sub }));
      expect(res.status).toBe(201);
      const session = await res.json<Session & { shopper: { guest: boolean; displayName: string } }>();
      expect(session.shopper).toMatchObject({ guest: false, displayName: "王小美" });
      ids.add(session.shopper.id);
    }
    expect(ids.size).toBe(1);
    const other = await (await shopperSignIn(await idToken({ sub: `other-${run}` }))).json<Session>();
    expect(ids.has(other.shopper?.id ?? "")).toBe(false);
  });

  it("refuses a wrong audience, an unknown issuer, an expired token, a foreign key, and a creator issuer's token", async () => {
    const t = Math.floor(Date.now() / 1000);
    const attempts = [
      await idToken({ aud: "another-app" }),
      await idToken({ iss: "https://id.example.com/not-configured" }),
      await idToken({ exp: t - 60 }),
      // Signed by the EC key but claiming the RSA key's kid and alg mismatch: the JWKS key decides.
      await idToken({ alg: "ES256", kid: "test-rs256" }),
      await idToken({ iss: creatorIssuer }),
      "not-a-jwt",
    ];
    for (const token of attempts) await expectProblem(await shopperSignIn(token), 401, "unauthorized");
  });

  it("refuses an unsigned (alg none) or HMAC ID token", async () => {
    const [, payload] = (await idToken({})).split(".");
    const none = `${btoa(JSON.stringify({ alg: "none", kid: "test-es256" })).replaceAll("=", "")}.${payload}.`;
    await expectProblem(await shopperSignIn(none), 401, "unauthorized");
    const t = Math.floor(Date.now() / 1000);
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "test-es256" })
      .setIssuer(shopperIssuer)
      .setAudience(audience)
      .setSubject("user-1")
      .setExpirationTime(t + 300)
      .sign(new TextEncoder().encode("secret"));
    await expectProblem(await shopperSignIn(hs), 401, "unauthorized");
  });

  it("signs creators in through a creator-role issuer, one creator per subject", async () => {
    const token = () => idToken({ iss: creatorIssuer, sub: `creator-${run}`, alg: "EdDSA" });
    const first = await call("/v1/creator-sessions", post({ idToken: await token() }));
    expect(first.status).toBe(201);
    const a = await first.json<Session>();
    expect(a.creator?.object).toBe("creator");
    const b = await (await call("/v1/creator-sessions", post({ idToken: await token() }))).json<Session>();
    expect(b.creator?.id).toBe(a.creator?.id);
    // A shopper issuer's token does not make a creator.
    await expectProblem(await call("/v1/creator-sessions", post({ idToken: await idToken({}) })), 401, "unauthorized");
  });

  it("issuers are configured by the operator only, once each", async () => {
    const body = { issuer: `https://id.example.com/${run}/x`, jwksUrl, audience, role: "shopper" };
    await expectProblem(await call("/v1/oidc-issuers", post(body)), 401, "unauthorized");
    await expectProblem(
      await call("/v1/oidc-issuers", post({ ...body, issuer: shopperIssuer }, operator())),
      409,
      "conflict",
    );
    await expectProblem(
      await call("/v1/oidc-issuers", post({ ...body, role: "operator" }, operator())),
      400,
      "validation_failed",
    );
  });
});
