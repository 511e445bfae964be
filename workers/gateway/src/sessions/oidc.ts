// ID tokens from operator-configured OpenID Connect issuers, exchanged for shopper or creator identities. The issuer
// named in the token picks the configuration (JWKS URL, audience, role); the signature is checked against that JWKS
// (fetched with jose's createRemoteJWKSet, kept per isolate), with the algorithm pinned to what the JWKS key is:
// RS256, ES256 or EdDSA, never `none` or an HMAC.

import { eq } from "drizzle-orm";
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { oidcIssuers } from "#shared/schema.ts";

const algorithms = ["RS256", "ES256", "EdDSA"];
// jose's remote JWKS caches the keys (and refetches on an unknown kid, at most every 30 s); one per JWKS URL.
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function remoteJwks(url: string) {
  let jwks = jwksByUrl.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    jwksByUrl.set(url, jwks);
  }
  return jwks;
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  name: string | null;
}

const rejected = () =>
  new ProblemError(
    "unauthorized",
    "The ID token is invalid, expired, or from an issuer this platform does not accept.",
  );

export async function verifyIdToken(env: Env, idToken: string, role: "shopper" | "creator"): Promise<VerifiedIdentity> {
  let claimedIssuer: string | undefined;
  try {
    claimedIssuer = decodeJwt(idToken).iss;
  } catch {
    throw rejected();
  }
  if (!claimedIssuer) throw rejected();
  const [config] = await database(env).select().from(oidcIssuers).where(eq(oidcIssuers.issuer, claimedIssuer));
  if (!config || config.role !== role) throw rejected();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, remoteJwks(config.jwksUrl), {
      algorithms,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "exp"],
      clockTolerance: 5,
    }));
  } catch {
    throw rejected();
  }
  const name = typeof payload.name === "string" ? payload.name.slice(0, 100) : null;
  return { issuer: config.issuer, subject: payload.sub ?? "", name };
}
