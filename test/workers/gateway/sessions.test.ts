// Shopper and creator sessions: access tokens the gateway accepts, refresh-token rotation, and reuse detection that
// revokes the whole session.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import {
  bearer,
  call,
  expectProblem,
  onboardMerchant,
  openShopperSession,
  operator,
  post,
  type Session,
  uniqueHandle,
} from "./helpers.ts";

const refresh = (role: "shopper" | "creator", refreshToken: string) =>
  call(`/v1/${role}-sessions/refresh`, post({ refreshToken }));

/** A refresh the gateway accepts: the session with its rotated tokens. */
async function rotate(role: "shopper" | "creator", refreshToken: string): Promise<Session> {
  const res = await refresh(role, refreshToken);
  expect(res.status).toBe(200);
  return res.json<Session>();
}

describe("shopper sessions", () => {
  it("open a guest session with a publishable key: a shopper and an EdDSA access token with our claims", async () => {
    const merchant = await onboardMerchant();
    const session = await openShopperSession(merchant.publishableKey.key);
    expect(session).toMatchObject({ object: "shopper_session", tokenType: "Bearer", expiresIn: 900 });
    expect(session.id).toMatch(/^ses_/);
    expect(session.shopper).toMatchObject({ object: "shopper", guest: true });
    expect(session.shopper?.id).toMatch(/^shp_/);
    expect(session.refreshToken).toMatch(/^rt_[0-9a-f]{64}$/);

    const header = decodeProtectedHeader(session.accessToken);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(session.accessToken);
    expect(claims).toMatchObject({
      iss: "https://zhongcao.local",
      aud: "zhongcao-api",
      sub: session.shopper?.id,
      role: "shopper",
      sid: session.id,
      storefront: { keyId: merchant.publishableKey.id, merchantId: merchant.id },
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(claims.nbf).toBe(claims.iat);

    // The gateway accepts it: a person, not a merchant.
    const asShopper = { ...bearer(session.accessToken), "x-publishable-key": merchant.publishableKey.key };
    expect((await call("/v1/products?limit=1", { headers: asShopper })).status).toBe(200);
    await expectProblem(await call("/v1/api-keys", { headers: asShopper }), 401, "unauthorized");
  });

  it("need a publishable key, and refuse unknown fields", async () => {
    await expectProblem(await call("/v1/shopper-sessions", post({})), 401, "unauthorized");
    const merchant = await onboardMerchant();
    const problem = await expectProblem(
      await call(
        "/v1/shopper-sessions",
        post({ shopperId: "shp_x" }, { "x-publishable-key": merchant.publishableKey.key }),
      ),
      400,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.path).toBe("/shopperId");
  });

  it("rotate the refresh token on every use; replaying a rotated one revokes the whole session", async () => {
    const merchant = await onboardMerchant();
    const first = await openShopperSession(merchant.publishableKey.key);

    const rotated = await rotate("shopper", first.refreshToken);
    expect(rotated.id).toBe(first.id);
    expect(rotated.shopper?.id).toBe(first.shopper?.id);
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(rotated.accessToken).sub).toBe(first.shopper?.id);

    const newest = await rotate("shopper", rotated.refreshToken);

    // The first token again: someone copied it. The family is revoked, even the newest token.
    await expectProblem(await refresh("shopper", first.refreshToken), 401, "unauthorized");
    await expectProblem(await refresh("shopper", newest.refreshToken), 401, "unauthorized");
  });

  it("of two concurrent uses of one refresh token, at most one succeeds", async () => {
    const merchant = await onboardMerchant();
    const session = await openShopperSession(merchant.publishableKey.key);
    const results = await Promise.all([
      refresh("shopper", session.refreshToken),
      refresh("shopper", session.refreshToken),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses).toContain(401);
    await Promise.all(results.map((r) => r.arrayBuffer()));
  });

  it("refuse an unknown refresh token, and a shopper's token at the creator route", async () => {
    await expectProblem(await refresh("shopper", `rt_${"0".repeat(64)}`), 401, "unauthorized");
    const merchant = await onboardMerchant();
    const session = await openShopperSession(merchant.publishableKey.key);
    await expectProblem(await refresh("creator", session.refreshToken), 401, "unauthorized");
    // That attempt did not spend it.
    expect((await refresh("shopper", session.refreshToken)).status).toBe(200);
  });
});

describe("creator sessions", () => {
  async function onboardCreator() {
    const res = await call("/v1/creators", post({ name: "林小仙", handle: uniqueHandle("c") }, operator()));
    expect(res.status).toBe(201);
    return res.json<{ id: string; creatorKey: { key: string } }>();
  }

  it("exchange a creator key for creator tokens, with the same rotation", async () => {
    const creator = await onboardCreator();
    const res = await call("/v1/creator-sessions", post({ creatorKey: creator.creatorKey.key }));
    expect(res.status).toBe(201);
    const session = await res.json<Session>();
    expect(session).toMatchObject({ object: "creator_session", creator: { id: creator.id, object: "creator" } });
    expect(decodeJwt(session.accessToken)).toMatchObject({ sub: creator.id, role: "creator", sid: session.id });
    expect((await call("/v1/products?limit=1", { headers: bearer(session.accessToken) })).status).toBe(200);

    const rotated = await rotate("creator", session.refreshToken);
    await expectProblem(await refresh("creator", session.refreshToken), 401, "unauthorized");
    await expectProblem(await refresh("creator", rotated.refreshToken), 401, "unauthorized");
  });

  it("refuse an unknown creator key, a creator key as a bearer, and a body with both or neither credential", async () => {
    await expectProblem(
      await call("/v1/creator-sessions", post({ creatorKey: `ck_test_${"0".repeat(40)}` })),
      401,
      "unauthorized",
    );
    const creator = await onboardCreator();
    await expectProblem(
      await call("/v1/products?limit=1", { headers: bearer(creator.creatorKey.key) }),
      401,
      "unauthorized",
    );
    await expectProblem(await call("/v1/creator-sessions", post({})), 400, "validation_failed");
    await expectProblem(
      await call("/v1/creator-sessions", post({ creatorKey: creator.creatorKey.key, idToken: "x.y.z" })),
      400,
      "validation_failed",
    );
  });
});
