// Test fixtures for the checkout Worker: merchants of a test's own, its own products and SKUs in the real database
// (so no test shares stock with another), the notes and live sessions that refer shoppers to them, and flash sales
// created through the API. Who calls (callers as the gateway would name them) is in callers.ts.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { encodeAttribution } from "#shared/attribution.ts";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import {
  inventoryLedger,
  liveSessionProducts,
  liveSessions,
  merchants,
  noteProducts,
  notes,
  products,
  skus,
} from "#shared/schema.ts";
import { asMerchant } from "../principals.ts";
import { creators, merchantId, shopper } from "./callers.ts";

export const cny = (amount: number) => ({ amount, currency: "CNY" });

/**
 * A merchant of the test's own, at `commissionRateBps` (the platform's default): merchant-wide things (its
 * commission rate, spend-and-save rules, webhook endpoints, orders) then touch no other test's.
 */
export async function newMerchant(commissionRateBps = 1000): Promise<string> {
  const id = newId("mer");
  await database(env)
    .insert(merchants)
    .values({ id, name: `Test merchant ${id}`, handle: id.toLowerCase(), commissionRateBps });
  return id;
}

export async function call(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; key?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  return exports.default.fetch(
    new Request(`http://checkout${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
  );
}

let keys = 0;
export const key = () => `k-${Date.now()}-${++keys}-${Math.random()}`;

/** An active product with one SKU per price, each with `stock` units explained by an initial ledger row. */
export async function createSkus(options: {
  prices: number[];
  stock: number;
  owner?: string;
  currency?: string;
}): Promise<{ productId: string; skuIds: string[] }> {
  const db = database(env);
  const productId = newId("prod");
  const skuIds = options.prices.map(() => newId("sku"));
  await db.batch([
    db.insert(products).values({
      id: productId,
      merchantId: options.owner ?? merchantId,
      title: "Test product",
      status: "active",
      images: [],
    }),
    db.insert(skus).values(
      options.prices.map((price, i) => ({
        id: skuIds[i] ?? "",
        productId,
        options: { n: String(i) },
        priceAmount: price,
        currency: options.currency ?? "CNY",
        stock: options.stock,
      })),
    ),
    db.insert(inventoryLedger).values(
      skuIds.map((skuId) => ({
        id: newId("led"),
        skuId,
        delta: options.stock,
        reason: "initial_stock",
        idempotencyKey: "test",
      })),
    ),
  ]);
  return { productId, skuIds };
}

/** The same with a single SKU. */
export async function createSku(options: { price: number; stock: number; owner?: string }) {
  const { productId, skuIds } = await createSkus({
    prices: [options.price],
    stock: options.stock,
    owner: options.owner,
  });
  return { productId, skuId: skuIds[0] ?? "" };
}

/** A published note of `creatorId` (a demo creator's by default) tagging the product, and the reference its link carries. */
export async function taggedBy(
  productId: string,
  creatorId: string = creators[0],
): Promise<{ noteId: string; reference: string }> {
  const db = database(env);
  const noteId = newId("note");
  await db.batch([
    db.insert(notes).values({ id: noteId, creatorId, title: "种草", body: "好用", images: [] }),
    db.insert(noteProducts).values({ noteId, productId }),
  ]);
  return { noteId, reference: encodeAttribution({ noteId, liveSessionId: null, creatorId, productId }) };
}

/**
 * A live session on air, a merchant's or a creator's, with the product on its shelf (at the shelf's own commission
 * rate when given), and the reference its product link carries.
 */
export async function shelvedBy(
  host: { merchantId: string } | { creatorId: string },
  productId: string,
  commissionRateBps?: number,
): Promise<{ liveSessionId: string; reference: string }> {
  const db = database(env);
  const liveSessionId = newId("live");
  // A session-only reference names the host creator (none for a merchant's session), as the live room's links do.
  const creatorId = "creatorId" in host ? host.creatorId : null;
  const hostedBy =
    "creatorId" in host ? { hostType: "creator" as const, ...host } : { hostType: "merchant" as const, ...host };
  await db.batch([
    db.insert(liveSessions).values({
      id: liveSessionId,
      ...hostedBy,
      title: "直播",
      status: "live",
      scheduledStartAt: new Date().toISOString(),
    }),
    db.insert(liveSessionProducts).values({ sessionId: liveSessionId, productId, position: 0, commissionRateBps }),
  ]);
  return { liveSessionId, reference: encodeAttribution({ noteId: null, liveSessionId, creatorId, productId }) };
}

/** A 201 whose Location names what it made under `collection`: its body. */
export async function created<T extends { id: string }>(res: Response, collection: string): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(201);
  const made = await res.json<T>();
  expect(res.headers.get("location")).toBe(`${collection}/${made.id}`);
  return made;
}

/** A new cart of the caller's (201). */
export async function newCart(headers: Record<string, string>): Promise<string> {
  const res = await call("POST", "/v1/carts", { headers });
  expect(res.status).toBe(201);
  return (await res.json<{ id: string }>()).id;
}

export async function stockOf(skuId: string): Promise<number> {
  const rows = await database(env).$client.execute({ sql: "SELECT stock FROM skus WHERE id = ?", args: [skuId] });
  return Number(rows.rows[0]?.stock);
}

export async function ledgerOf(skuId: string): Promise<{ delta: number; reason: string }[]> {
  const rows = await database(env).$client.execute({
    sql: "SELECT delta, reason FROM inventory_ledger WHERE sku_id = ? ORDER BY id",
    args: [skuId],
  });
  return rows.rows.map((r) => ({ delta: Number(r.delta), reason: String(r.reason) }));
}

/** A running flash sale (started a minute ago, ending in an hour) over a fresh SKU with `stock` units. */
export async function createSale(
  options: {
    quantity?: number;
    stock?: number;
    perShopperLimit?: number;
    price?: number;
    startsInMs?: number;
    shards?: number;
  } = {},
): Promise<{ id: string; skuId: string; productId: string }> {
  const quantity = options.quantity ?? 100;
  const { productId, skuIds } = await createSkus({ prices: [8900], stock: options.stock ?? quantity + 10 });
  const skuId = skuIds[0] ?? "";
  const start = Date.now() + (options.startsInMs ?? -60_000);
  const res = await call("POST", "/v1/flash-sales", {
    headers: asMerchant(merchantId),
    body: {
      skuId,
      quantity,
      price: { amount: options.price ?? 4900, currency: "CNY" },
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(Math.max(start, Date.now()) + 3_600_000).toISOString(),
      perShopperLimit: options.perShopperLimit ?? 2,
      ...(options.shards === undefined ? {} : { shards: options.shards }),
    },
  });
  if (res.status !== 201) throw new Error(`createSale: ${res.status} ${await res.text()}`);
  const sale = await res.json<{ id: string }>();
  return { id: sale.id, skuId, productId };
}

export const reserve = (saleId: string, who: number | string, body: unknown, idempotencyKey: string = key()) =>
  call("POST", `/v1/flash-sales/${saleId}/reservations`, { headers: shopper(who), body, key: idempotencyKey });
