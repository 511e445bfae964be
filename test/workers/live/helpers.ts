// What the live tests share: people and products of their own (test files share the database), requests with the
// principal header the gateway sends, sessions scheduled and tokens issued through the API, and room sockets opened
// through the Worker exactly as a client would (GET /room?token=… with Upgrade: websocket).
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { creators, inventoryLedger, merchants, products, shoppers, skus } from "#shared/schema.ts";
import { demo } from "../../../dev/demo.ts";
import { as, asMerchant } from "../principals.ts";

export const db = () => database(env);

export interface Caller {
  id: string;
  headers: Record<string, string>;
}

export async function newShopper(name = "小红薯"): Promise<Caller> {
  const id = newId("shp");
  await db().insert(shoppers).values({ id, displayName: name });
  return { id, headers: as({ type: "shopper", shopperId: id, sessionId: "ses_test" }) };
}

export async function newCreator(name = "直播博主"): Promise<Caller> {
  const id = newId("cre");
  await db()
    .insert(creators)
    .values({ id, name, handle: `h_${id.toLowerCase()}` });
  return { id, headers: as({ type: "creator", creatorId: id, sessionId: "ses_test" }) };
}

export async function newMerchant(
  options: { allowsPromotion?: boolean; commissionRateBps?: number } = {},
): Promise<Caller> {
  const id = newId("mer");
  await db()
    .insert(merchants)
    .values({ id, name: `店铺 ${id}`, handle: `m_${id.toLowerCase()}`, ...options });
  return { id, headers: asMerchant(id) };
}

export const demoMerchant = (n: 1 | 2 | 3): Caller => {
  const id = demo.merchants[n - 1]?.id ?? "";
  return { id, headers: asMerchant(id) };
};

export interface ProductOptions {
  price?: number;
  stock?: number;
  allowsPromotion?: boolean;
  commissionRateBps?: number;
}

/** An active product with one SKU at `price` and `stock`, its stock explained by the ledger. */
export async function newProduct(merchantId: string, options: ProductOptions = {}): Promise<string> {
  const id = newId("prod");
  const skuId = newId("sku");
  const stock = options.stock ?? 10;
  await db().batch([
    db()
      .insert(products)
      .values({
        id,
        merchantId,
        title: `直播商品 ${id}`,
        status: "active",
        images: [`https://img.example.com/${id}.jpg`],
        allowsPromotion: options.allowsPromotion ?? true,
        commissionRateBps: options.commissionRateBps ?? null,
      }),
    db()
      .insert(skus)
      .values({
        id: skuId,
        productId: id,
        options: { size: "M" },
        priceAmount: options.price ?? 8900,
        currency: "CNY",
        stock,
      }),
    db()
      .insert(inventoryLedger)
      .values({ id: newId("led"), skuId, delta: stock, reason: "initial_stock", idempotencyKey: "live-test" }),
  ]);
  return id;
}

/**
 * What most room tests start from: a creator to host and a new merchant's products for the shelf, `products` of them
 * with the defaults or one per options object.
 */
export async function hostWithShelf(
  products: number | ProductOptions[] = 1,
  hostName?: string,
): Promise<{ host: Caller; merchant: Caller; productIds: string[] }> {
  const host = await newCreator(hostName);
  const merchant = await newMerchant();
  const productIds: string[] = [];
  for (const options of typeof products === "number" ? Array.from({ length: products }, () => ({})) : products) {
    productIds.push(await newProduct(merchant.id, options));
  }
  return { host, merchant, productIds };
}

export function call(
  method: string,
  path: string,
  options: { as?: Caller; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.as?.headers, ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return exports.default.fetch(
    new Request(`https://api.zhongcao.test${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
  );
}

export async function scheduled(
  host: Caller,
  body: Record<string, unknown> = {},
): Promise<{ id: string; productIds: string[] }> {
  const res = await call("POST", "/v1/live/sessions", {
    as: host,
    body: { title: "测试直播", scheduledStartAt: new Date(Date.now() + 3_600_000).toISOString(), ...body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

export interface Tokens {
  token: string;
  sfuUrl: string;
  roomToken: string;
  roomUrl: string;
  identity: string;
  role: string;
  expiresAt: string;
}

export async function tokensFor(sessionId: string, who: Caller, body: Record<string, unknown> = {}): Promise<Tokens> {
  const res = await call("POST", `/v1/live/sessions/${sessionId}/token`, { as: who, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

export type Frame = Record<string, unknown> & { type: string; seq?: number };

/** A client's end of a room socket: every frame it received, and a wait for the next one that matches. */
export class RoomClient {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: (() => void)[] = [];

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      for (const resolve of this.closeWaiters) resolve();
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first frame (already received or yet to come) matching; fails the test after 5 s rather than hanging. */
  next(match: (f: Frame) => boolean, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching frame within 5 s")), 5_000);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** A frame of this type arriving after the frames seen so far. */
  nextOfType(type: string): Promise<Frame> {
    return this.next((f) => f.type === type, this.frames.length);
  }

  /** Everything sent before this returns has been handled by the room (it answers pings in order). */
  async sync(): Promise<void> {
    const ref = crypto.randomUUID();
    this.send({ type: "ping", ref });
    await this.next((f) => f.type === "pong" && f.ref === ref);
  }

  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  close(): void {
    try {
      this.ws.close(1000, "bye");
    } catch {
      // already closed
    }
  }
}

/** Opens the room socket the way a client does; returns the HTTP response when it is refused. */
export async function openRoom(tokens: Tokens, lastSeq?: number): Promise<RoomClient | Response> {
  const url = new URL(tokens.roomUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.searchParams.set("token", tokens.roomToken);
  if (lastSeq !== undefined) url.searchParams.set("lastSeq", String(lastSeq));
  const res = await exports.default.fetch(new Request(url, { headers: { upgrade: "websocket" } }));
  if (res.status !== 101 || !res.webSocket) return res;
  res.webSocket.accept();
  return new RoomClient(res.webSocket);
}

export async function join(tokens: Tokens, lastSeq?: number): Promise<RoomClient> {
  const client = await openRoom(tokens, lastSeq);
  if (client instanceof Response) throw new Error(`room refused: ${client.status} ${await client.text()}`);
  await client.next((f) => f.type === "welcome");
  return client;
}
