import { env } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import { TokenVerifier } from "livekit-server-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { activeSigningKeys } from "#shared/tokens.ts";
import {
  type Caller,
  call,
  db,
  hostWithShelf,
  newMerchant,
  newProduct,
  newShopper,
  scheduled,
  tokensFor,
} from "./helpers.ts";

const verifier = new TokenVerifier(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);

let host: Caller;
let shopper: Caller;
let moderator: Caller;
let sessionId: string;

beforeAll(async () => {
  const shelf = await hostWithShelf(1, "主播小林");
  host = shelf.host;
  shopper = await newShopper();
  moderator = await newShopper("场控");
  sessionId = (await scheduled(host, { productIds: shelf.productIds, moderatorIds: [moderator.id] })).id;
});

describe("POST /v1/live/sessions/{id}/token", () => {
  it("gives a viewer a short LiveKit token that subscribes but cannot publish, verified by LiveKit's SDK", async () => {
    const before = Math.floor(Date.now() / 1000);
    const t = await tokensFor(sessionId, shopper, { name: "小红薯123" });
    expect(t).toMatchObject({ identity: shopper.id, role: "viewer", sfuUrl: "ws://127.0.0.1:7880" });
    const claims = await verifier.verify(t.token);
    expect(claims).toMatchObject({
      iss: "devkey",
      sub: shopper.id,
      name: "小红薯123",
      video: {
        room: sessionId,
        roomJoin: true,
        canSubscribe: true,
        canPublish: false,
        canPublishData: false,
        roomAdmin: false,
      },
    });
    expect(claims.nbf).toBeGreaterThanOrEqual(before - 1);
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(600);
    expect(Date.parse(t.expiresAt) / 1000).toBe(claims.exp);
  });

  it("lets only the host publish, and gives moderators room admin", async () => {
    const h = await verifier.verify((await tokensFor(sessionId, host)).token);
    expect(h).toMatchObject({ sub: host.id, name: "主播小林", video: { canPublish: true, canPublishData: true } });
    const m = await tokensFor(sessionId, moderator);
    expect(m.role).toBe("moderator");
    expect(await verifier.verify(m.token)).toMatchObject({ video: { canPublish: false, roomAdmin: true } });
    // The host may join as a mere viewer; a viewer may not ask for more.
    expect((await tokensFor(sessionId, host, { role: "viewer" })).role).toBe("viewer");
    const res = await call("POST", `/v1/live/sessions/${sessionId}/token`, { as: shopper, body: { role: "host" } });
    expect(res.status).toBe(403);
  });

  it("a token signed with another secret does not verify with the SDK", async () => {
    const t = await tokensFor(sessionId, shopper);
    await expect(new TokenVerifier(env.LIVEKIT_API_KEY, "not-the-secret").verify(t.token)).rejects.toThrow();
  });

  it("signs the room token with the platform's current key, audience live-room, and a ws roomUrl", async () => {
    const t = await tokensFor(sessionId, shopper);
    const keys = await activeSigningKeys(db());
    const jwks = createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
    const { payload, protectedHeader } = await jwtVerify(t.roomToken, jwks, { audience: "live-room" });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(keys.find((k) => k.kid === protectedHeader.kid)?.status).toBe("current");
    expect(payload).toMatchObject({ sub: shopper.id, sid: sessionId, role: "viewer" });
    expect(t.roomUrl).toBe(`wss://api.zhongcao.test/v1/live/sessions/${sessionId}/room`);
  });

  it("refuses unknown and ended sessions with problem+json, never a token", async () => {
    const unknown = await call("POST", "/v1/live/sessions/live_01JZ0000000000000000009998/token", {
      as: shopper,
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");

    const ended = (await scheduled(host)).id;
    expect((await call("POST", `/v1/live/sessions/${ended}/end`, { as: host })).status).toBe(200);
    const res = await call("POST", `/v1/live/sessions/${ended}/token`, { as: shopper, body: {} });
    expect(res.status).toBe(409);
    const problem = await res.json<Record<string, unknown>>();
    expect(problem.code).toBe("conflict");
    expect(problem).not.toHaveProperty("token");
  });

  it("needs a person (401) and hides another store's session (404)", async () => {
    expect((await call("POST", `/v1/live/sessions/${sessionId}/token`, { body: {} })).status).toBe(401);
    const stranger = await newMerchant();
    expect((await call("POST", `/v1/live/sessions/${sessionId}/token`, { as: stranger, body: {} })).status).toBe(404);
  });

  it("a store's secret key gets the host token for its own store stream", async () => {
    const store = await newMerchant();
    const productId = await newProduct(store.id);
    const { id } = await scheduled(store, { productIds: [productId] });
    const t = await tokensFor(id, store);
    expect(t).toMatchObject({ identity: store.id, role: "host" });
    expect(await verifier.verify(t.token)).toMatchObject({ name: `店铺 ${store.id}`, video: { canPublish: true } });
  });

  it("answers from the isolate's cache once warm: a session ended behind its back is seen only after a change here", async () => {
    // Warm path: the same session's metadata is cached, so a second token needs no database (measured by the bench);
    // a change made through this Worker replaces the cache at once.
    const { id } = await scheduled(host);
    await tokensFor(id, shopper);
    expect((await call("POST", `/v1/live/sessions/${id}/end`, { as: host })).status).toBe(200);
    expect((await call("POST", `/v1/live/sessions/${id}/token`, { as: shopper, body: {} })).status).toBe(409);
  });
});
