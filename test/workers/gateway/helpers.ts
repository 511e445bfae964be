// Calls into the gateway (the real Worker, its backends beside it) and the onboarding steps most tests start from.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const call = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`http://gateway${path}`, init));

export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
export const operator = () => bearer(env.PLATFORM_ADMIN_KEY);

export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

let keys = 0;
/** An Idempotency-Key header no other request of the run uses. */
export const idempotencyKey = () => ({ "idempotency-key": `gw-${Date.now()}-${++keys}` });

export const uniqueHandle = (prefix: string) =>
  `${prefix}_${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

export interface KeyWithSecret {
  id: string;
  object: "api_key";
  kind: "secret" | "publishable";
  key: string;
  displayPrefix: string;
  scopes: string[];
  allowedOrigins: string[];
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Onboarded {
  id: string;
  object: "merchant";
  name: string;
  handle: string;
  secretKey: KeyWithSecret;
  publishableKey: KeyWithSecret;
}

export async function onboardMerchant(allowedOrigins: string[] = ["https://shop.example.com"]): Promise<Onboarded> {
  const res = await call(
    "/v1/merchants",
    post({ name: "测试商家 Test Store", handle: uniqueHandle("m"), allowedOrigins }, operator()),
  );
  expect(res.status).toBe(201);
  return res.json<Onboarded>();
}

/**
 * A newly onboarded merchant with one active product of one SKU (price in CNY, `stock` units, default 10): its keys
 * as headers (`secret`, and `pk` for its storefront), the product and the SKU's id.
 */
export async function merchantWithSku(
  title: string,
  sku: { options?: Record<string, string>; price: number; stock?: number },
) {
  const merchant = await onboardMerchant();
  const secret = bearer(merchant.secretKey.key);
  const pk = { "x-publishable-key": merchant.publishableKey.key };
  const res = await call(
    "/v1/products",
    post(
      {
        title,
        status: "active",
        skus: [{ options: sku.options ?? {}, price: { amount: sku.price, currency: "CNY" }, stock: sku.stock ?? 10 }],
      },
      secret,
    ),
  );
  expect(res.status).toBe(201);
  const product = await res.json<{ id: string; title: string; skus: { id: string }[] }>();
  return { merchant, secret, pk, product, skuId: product.skus[0]?.id ?? "" };
}

/** A guest shopper session a storefront opens with its publishable key (201). */
export async function openShopperSession(publishableKey: string): Promise<Session> {
  const res = await call("/v1/shopper-sessions", post({}, { "x-publishable-key": publishableKey }));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Session>();
}

/** The same, with the publishable key and the session's token as headers for the shopper's calls. */
export async function shopperSession(pk: Record<string, string>): Promise<Record<string, string>> {
  return { ...pk, ...bearer((await openShopperSession(pk["x-publishable-key"] ?? "")).accessToken) };
}

/** A creator the operator onboards, and the bearer header of a session it opens with its creator key. */
export async function creatorSession(name: string) {
  const res = await call("/v1/creators", post({ name, handle: uniqueHandle("c") }, operator()));
  expect(res.status).toBe(201);
  const creator = await res.json<{ id: string; creatorKey: { key: string } }>();
  const session = await call("/v1/creator-sessions", post({ creatorKey: creator.creatorKey.key }));
  expect(session.status).toBe(201);
  return { id: creator.id, headers: bearer((await session.json<Session>()).accessToken) };
}

export interface Problem {
  code: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

/** Asserts a problem+json answer with this status and code, and returns it. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = await res.json<Problem>();
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(body.requestId).toBe(res.headers.get("x-request-id"));
  return body;
}

/** A shopper or creator session as the gateway returns it. */
export interface Session {
  id: string;
  object: string;
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  shopper?: { id: string; object: string; guest: boolean };
  creator?: { id: string; object: string };
}
