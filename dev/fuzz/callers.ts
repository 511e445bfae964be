// The callers of a fuzz run (dev/fuzz/run.ts), made through the API as a client would, and the pool of real ids
// that path parameters draw from.
import { randomUUID } from "node:crypto";

/** A way of calling: its name in the report, and the headers it adds. */
export interface Credential {
  name: string;
  headers: Record<string, string>;
}

/** What the demo data gives (demo-credentials.json as `npm start` writes it). */
export interface DemoCredentials {
  operatorKey: string;
  merchants: { id: string; secretKey: string; publishableKey: string }[];
  creators: { id: string; creatorKey: string }[];
  liveSessionId: string;
  flashSaleId: string;
  productIds: string[];
}

/** Ids seen in answers, by their prefix, for path parameters: real resources, not only random ones. */
export class IdPool {
  private readonly ids = new Set<string>();
  private readonly never: Set<string>;
  constructor(never: Set<string>) {
    this.never = never;
  }

  add(id: string): void {
    if (!this.never.has(id) && this.ids.size < 5000) this.ids.add(id);
  }

  /** Every string under an `id` or `…Id` key of a JSON answer that looks like one of ours. */
  harvest(value: unknown, key = ""): void {
    if (typeof value === "string") {
      if ((key === "id" || key.endsWith("Id")) && /^[a-z]+_[0-9A-Za-z]{4,64}$/.test(value)) this.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) this.harvest(item, key);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) this.harvest(v, k);
    }
  }

  /** The n-th (modulo) known id that fits `pattern`, if any. */
  pick(pattern: RegExp | null, n: number): string | undefined {
    if (!pattern) return undefined;
    const fitting = [...this.ids].filter((id) => pattern.test(id));
    return fitting.length === 0 ? undefined : fitting[n % fitting.length];
  }
}

async function call(gateway: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Every kind of caller, made through the API: nobody, a storefront's publishable key, a guest shopper's session,
 * a merchant's test secret key, a creator's session, the operator; live-mode keys and a live shopper when the
 * platform makes them. Also a cart with a line and its order, so paths have real ids to reach.
 */
export async function prepare(
  gateway: string,
  demo: DemoCredentials,
): Promise<{ credentials: Credential[]; pool: IdPool }> {
  const merchant = demo.merchants[0];
  const creator = demo.creators[0];
  if (!merchant || !creator) throw new Error("the demo data has no merchant or creator");
  const pk = { "x-publishable-key": merchant.publishableKey };
  const sk = { authorization: `Bearer ${merchant.secretKey}` };
  const shopper = await call(gateway, "POST", "/v1/shopper-sessions", pk, {});
  const creatorSession = await call(gateway, "POST", "/v1/creator-sessions", {}, { creatorKey: creator.creatorKey });
  // Never a path id: the keys and sessions the run calls with (revoking them would leave nothing to fuzz with).
  const never = new Set<string>();
  const shopperHeaders = { ...pk, authorization: `Bearer ${String(shopper.accessToken)}` };
  const credentials: Credential[] = [
    { name: "none", headers: {} },
    { name: "publishable key", headers: pk },
    { name: "shopper session", headers: shopperHeaders },
    { name: "secret key (test)", headers: sk },
    { name: "creator session", headers: { authorization: `Bearer ${String(creatorSession.accessToken)}` } },
    { name: "operator", headers: { authorization: `Bearer ${demo.operatorKey}` } },
  ];
  // Live mode, where the platform has it: the operator opens it for the merchant (its first live keys).
  const operator = { authorization: `Bearer ${demo.operatorKey}` };
  const live = (await call(gateway, "POST", `/v1/merchants/${merchant.id}/live-keys`, operator, {}).catch(
    () => null,
  )) as { secretKey: { key: string }; publishableKey: { key: string } } | null;
  if (live) {
    const livePk = { "x-publishable-key": live.publishableKey.key };
    const liveShopper = await call(gateway, "POST", "/v1/shopper-sessions", livePk, {});
    never.add(String(liveShopper.id));
    credentials.push(
      { name: "secret key (live)", headers: { authorization: `Bearer ${live.secretKey.key}` } },
      { name: "publishable key (live)", headers: livePk },
      {
        name: "shopper session (live)",
        headers: { ...livePk, authorization: `Bearer ${String(liveShopper.accessToken)}` },
      },
    );
  }

  for (const caller of [sk, ...(live ? [{ authorization: `Bearer ${live.secretKey.key}` }] : [])]) {
    const keys = await call(gateway, "GET", "/v1/api-keys?limit=100", caller);
    for (const key of (keys.data ?? []) as { id: string }[]) never.add(key.id);
  }
  never.add(String(shopper.id));
  never.add(String(creatorSession.id));
  const pool = new IdPool(never);
  for (const m of demo.merchants) pool.add(m.id);
  for (const c of demo.creators) pool.add(c.id);
  for (const id of [demo.liveSessionId, demo.flashSaleId, ...demo.productIds]) pool.add(id);
  for (const id of demo.productIds) pool.harvest(await call(gateway, "GET", `/v1/products/${id}`, pk));
  pool.harvest(await call(gateway, "GET", "/v1/notes?limit=20", pk).catch(() => ({})));
  pool.harvest(await call(gateway, "GET", "/v1/feed?limit=20", pk).catch(() => ({})));
  // A cart with a line, checked out: an order and a payment.
  const product = (await call(gateway, "GET", `/v1/products/${demo.productIds[0]}`, pk)) as { skus?: { id: string }[] };
  const cart = await call(gateway, "POST", "/v1/carts", shopperHeaders, {});
  pool.add(String(cart.id));
  const skuId = product.skus?.[0]?.id;
  if (skuId) {
    await call(gateway, "POST", `/v1/carts/${cart.id}/lines`, shopperHeaders, { skuId, quantity: 1 });
    const order = await call(
      gateway,
      "POST",
      `/v1/carts/${cart.id}/checkout`,
      {
        ...shopperHeaders,
        "idempotency-key": randomUUID(),
      },
      {},
    ).catch(() => ({}));
    pool.harvest(order);
  }
  return { credentials, pool };
}
