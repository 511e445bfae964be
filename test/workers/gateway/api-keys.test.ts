// A merchant's keys: create, list, revoke (at once), scopes (403: managing keys needs api_keys:write, and never
// beyond the caller's own scopes), ownership (404), publishable keys and origins.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { recall } from "../../../workers/gateway/src/pipeline/key-cache.ts";
import { bearer, call, expectProblem, type KeyWithSecret, onboardMerchant, post } from "./helpers.ts";

const product = {
  title: "Scoped product",
  status: "active",
  skus: [{ options: { size: "1" }, price: { amount: 100, currency: "CNY" }, stock: 1 }],
};

async function createKey(secret: string, body: unknown): Promise<KeyWithSecret> {
  const res = await call("/v1/api-keys", post(body, bearer(secret)));
  expect(res.status).toBe(201);
  return res.json<KeyWithSecret>();
}

describe("secret keys", () => {
  it("are created with chosen scopes, listed without their secret, and revoked with immediate effect", async () => {
    const merchant = await onboardMerchant();
    const scopes = ["orders:read", "api_keys:write"];
    const key = await createKey(merchant.secretKey.key, { kind: "secret", scopes });
    expect(key).toMatchObject({ object: "api_key", kind: "secret", mode: "test", scopes });
    expect(key.key).toMatch(/^sk_test_[0-9a-f]{40}$/);
    expect(key.displayPrefix).toBe(`${key.key.slice(0, 12)}…`);

    const listed = await call("/v1/api-keys", { headers: bearer(key.key) });
    expect(listed.status).toBe(200);
    const { data } = await listed.json<{ data: Record<string, unknown>[] }>();
    expect(data.map((k) => k.id)).toEqual([key.id, merchant.publishableKey.id, merchant.secretKey.id]);
    for (const k of data) {
      expect(Object.keys(k)).not.toContain("key");
      expect(Object.keys(k)).not.toContain("hash");
    }

    const revoked = await call(`/v1/api-keys/${key.id}`, { method: "DELETE", headers: bearer(merchant.secretKey.key) });
    expect(revoked.status).toBe(200);
    expect((await revoked.json<KeyWithSecret>()).revokedAt).not.toBeNull();
    // The very next request with it is refused: no cache between requests.
    await expectProblem(await call("/v1/api-keys", { headers: bearer(key.key) }), 401, "unauthorized");
    await expectProblem(await call("/v1/products?limit=1", { headers: bearer(key.key) }), 401, "unauthorized");
  });

  it("records when a key was last used (after the response, to the minute)", async () => {
    const merchant = await onboardMerchant();
    const key = await createKey(merchant.secretKey.key, { kind: "secret", scopes: ["orders:read"] });
    expect(key.lastUsedAt).toBeNull();
    await call("/v1/products?limit=1", { headers: bearer(key.key) });
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 50 && lastUsedAt === null; i++) {
      const res = await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) });
      const { data } = await res.json<{ data: KeyWithSecret[] }>();
      lastUsedAt = data.find((k) => k.id === key.id)?.lastUsedAt ?? null;
    }
    expect(lastUsedAt).not.toBeNull();
  });

  it("answer a missing scope with 403, at the backends and when granting", async () => {
    const merchant = await onboardMerchant();
    const reader = await createKey(merchant.secretKey.key, { kind: "secret", scopes: ["orders:read"] });
    await expectProblem(await call("/v1/products", post(product, bearer(reader.key))), 403, "forbidden");
    const writer = await createKey(merchant.secretKey.key, { kind: "secret", scopes: ["catalog:write"] });
    expect((await call("/v1/products", post(product, bearer(writer.key)))).status).toBe(201);
    // A key cannot mint a key with more than it has.
    const manager = await createKey(merchant.secretKey.key, {
      kind: "secret",
      scopes: ["orders:read", "api_keys:write"],
    });
    const granting = await expectProblem(
      await call(
        "/v1/api-keys",
        post({ kind: "secret", scopes: ["orders:read", "catalog:write"] }, bearer(manager.key)),
      ),
      403,
      "forbidden",
    );
    expect(granting.errors).toEqual([{ path: "/scopes", message: expect.stringContaining("catalog:write") }]);
  });

  it("are managed only by a key with api_keys:write: without it no listing, minting or revoking", async () => {
    const merchant = await onboardMerchant();
    const reader = bearer((await createKey(merchant.secretKey.key, { kind: "secret", scopes: ["orders:read"] })).key);
    await expectProblem(await call("/v1/api-keys", { headers: reader }), 403, "forbidden");
    await expectProblem(
      await call("/v1/api-keys", post({ kind: "secret", scopes: ["orders:read"] }, reader)),
      403,
      "forbidden",
    );
    const publishable = { kind: "publishable", mode: "live", allowedOrigins: ["https://evil.example"] };
    const refused = await expectProblem(await call("/v1/api-keys", post(publishable, reader)), 403, "forbidden");
    expect(refused.detail).toContain("api_keys:write");
    for (const id of [merchant.secretKey.id, merchant.publishableKey.id]) {
      await expectProblem(await call(`/v1/api-keys/${id}`, { method: "DELETE", headers: reader }), 403, "forbidden");
    }
    // Nothing was minted or revoked.
    const res = await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) });
    const { data } = await res.json<{ data: KeyWithSecret[] }>();
    expect(data).toHaveLength(3);
    expect(data.every((k) => k.revokedAt === null)).toBe(true);
  });

  it("with api_keys:write, mint and revoke keys within the caller's own scopes only", async () => {
    const merchant = await onboardMerchant();
    const manager = await createKey(merchant.secretKey.key, {
      kind: "secret",
      scopes: ["orders:read", "api_keys:write"],
    });
    const as = bearer(manager.key);
    const narrower = await createKey(manager.key, { kind: "secret", scopes: ["orders:read"] });
    const pk = await createKey(manager.key, { kind: "publishable", allowedOrigins: ["https://shop.example.com"] });
    // The merchant's full key has scopes the manager lacks: it stays.
    const wider = await expectProblem(
      await call(`/v1/api-keys/${merchant.secretKey.id}`, { method: "DELETE", headers: as }),
      403,
      "forbidden",
    );
    expect(wider.detail).toContain("catalog:write");
    expect((await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) })).status).toBe(200);
    // Its own scopes or fewer: revoked.
    for (const id of [narrower.id, pk.id, manager.id]) {
      const res = await call(`/v1/api-keys/${id}`, { method: "DELETE", headers: as });
      expect(res.status).toBe(200);
      expect((await res.json<KeyWithSecret>()).revokedAt).not.toBeNull();
    }
    await expectProblem(await call("/v1/api-keys", { headers: as }), 401, "unauthorized");
  });

  it("cannot touch another merchant's keys (404), and keys are managed with secret keys only", async () => {
    const a = await onboardMerchant();
    const b = await onboardMerchant();
    await expectProblem(
      await call(`/v1/api-keys/${a.secretKey.id}`, { method: "DELETE", headers: bearer(b.secretKey.key) }),
      404,
      "not_found",
    );
    expect((await call("/v1/api-keys", { headers: bearer(a.secretKey.key) })).status).toBe(200);
    await expectProblem(await call("/v1/api-keys"), 401, "unauthorized");
    await expectProblem(
      await call("/v1/api-keys", { headers: { "x-publishable-key": a.publishableKey.key } }),
      401,
      "unauthorized",
    );
  });

  it("refuse unknown fields and unknown scopes, naming them", async () => {
    const merchant = await onboardMerchant();
    const res = await call(
      "/v1/api-keys",
      post({ kind: "secret", scopes: ["catalog:write", "root"], owner: "me" }, bearer(merchant.secretKey.key)),
    );
    const problem = await expectProblem(res, 400, "validation_failed");
    const paths = problem.errors?.map((e) => e.path) ?? [];
    expect(paths).toContain("/scopes/1");
    expect(paths).toContain("/owner");
  });

  it("an unknown or malformed key is 401, never anonymous", async () => {
    await expectProblem(
      await call("/v1/products?limit=1", { headers: bearer(`sk_test_${"0".repeat(40)}`) }),
      401,
      "unauthorized",
    );
    await expectProblem(await call("/v1/products?limit=1", { headers: bearer("sk_test_short") }), 401, "unauthorized");
    await expectProblem(
      await call("/v1/products?limit=1", { headers: { authorization: "Basic abc" } }),
      401,
      "unauthorized",
    );
  });
});

describe("publishable keys", () => {
  it("work from their allowed origins and from servers (no Origin), and are 403 from any other origin", async () => {
    const merchant = await onboardMerchant(["https://shop.example.com"]);
    const pk = { "x-publishable-key": merchant.publishableKey.key };
    expect((await call("/v1/products?limit=1", { headers: pk })).status).toBe(200);
    expect(
      (await call("/v1/products?limit=1", { headers: { ...pk, origin: "https://shop.example.com" } })).status,
    ).toBe(200);
    await expectProblem(
      await call("/v1/products?limit=1", { headers: { ...pk, origin: "https://evil.example" } }),
      403,
      "forbidden",
    );
  });

  it("never authorise merchant routes, and stop working when revoked", async () => {
    const merchant = await onboardMerchant();
    const created = await createKey(merchant.secretKey.key, {
      kind: "publishable",
      allowedOrigins: ["http://localhost:3000"],
    });
    expect(created.key).toMatch(/^pk_test_[0-9a-f]{40}$/);
    const pk = { "x-publishable-key": created.key };
    await expectProblem(await call("/v1/products", post(product, pk)), 401, "unauthorized");
    // Not as a bearer either.
    await expectProblem(await call("/v1/products?limit=1", { headers: bearer(created.key) }), 401, "unauthorized");
    await call(`/v1/api-keys/${created.id}`, { method: "DELETE", headers: bearer(merchant.secretKey.key) });
    await expectProblem(await call("/v1/products?limit=1", { headers: pk }), 401, "unauthorized");
  });

  it("are remembered per isolate for PUBLISHABLE_KEY_CACHE_SECONDS; secret keys never are", async () => {
    const merchant = await onboardMerchant();
    const pk = { "x-publishable-key": merchant.publishableKey.key };
    expect((await call("/v1/products?limit=1", { headers: pk })).status).toBe(200);
    // Revoked by another isolate (straight in the database): this one still knows the key for a while...
    const db = database(env);
    const revokeElsewhere = (id: string) =>
      db.$client.execute({
        sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?",
        args: [new Date().toISOString(), id],
      });
    await revokeElsewhere(merchant.publishableKey.id);
    expect((await call("/v1/products?limit=1", { headers: pk })).status).toBe(200);
    const seconds = Number(env.PUBLISHABLE_KEY_CACHE_SECONDS);
    expect(recall(merchant.publishableKey.key, Date.now() + (seconds - 1) * 1000)).not.toBeNull();
    // ...and looks it up again once that time has passed.
    expect(recall(merchant.publishableKey.key, Date.now() + (seconds + 1) * 1000)).toBeNull();
    await expectProblem(await call("/v1/products?limit=1", { headers: pk }), 401, "unauthorized");
    // A secret key revoked the same way is refused on the very next request.
    expect((await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) })).status).toBe(200);
    await revokeElsewhere(merchant.secretKey.id);
    await expectProblem(await call("/v1/api-keys", { headers: bearer(merchant.secretKey.key) }), 401, "unauthorized");
  });
});
