// The chaos run's shoppers (test/node/e2e/chaos.test.ts): clients that retry as real ones do, each buying over and over
// (regular lines, sometimes a flash-sale hold; check out; pay with the sandbox provider) and noting every answer.
import { randomUUID } from "node:crypto";

/** The regular SKUs a cart picks one or two of; about FLASH_RATE of carts also get a flash-sale hold. */
export const SKUS = 4;
export const FLASH_RATE = 0.3;
/**
 * Orders and holds left unpaid or unused on purpose (first phase only; the first two orders and the first hold, then
 * this share): their deadlines must fire across the kills.
 */
export const ABANDON_RATE = 0.2;
/** How long a client keeps retrying one request: longer than a restart. */
export const RETRY_FOR_MS = 240_000;

// A seeded generator, so a failing run's choices can be repeated (the seed is printed with the table).
export const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
let state = seed || 1;
export function random(): number {
  state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
  return state / 2 ** 32;
}

class ConnectionLost extends Error {}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface Chaos {
  gateway: string;
  publishableKey: string;
  secretKey: string;
  inFlight: { checkout: number; payment: number };
  stopped: boolean;
}

async function request(chaos: Chaos, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  let res: Response;
  try {
    res = await fetch(`${chaos.gateway}${url}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new ConnectionLost(err instanceof Error ? err.message : String(err));
  }
  const text = await res.text().catch(() => {
    throw new ConnectionLost("the answer was cut off");
  });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed } satisfies Answer;
}

/**
 * The request until it has a definite answer, as a real client does: again (same headers, so the same
 * Idempotency-Key) after a lost connection, a 5xx, a 429 or "still in progress".
 */
export async function answered(
  chaos: Chaos,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer & { retries: number }> {
  const deadline = Date.now() + RETRY_FOR_MS;
  let last = "";
  for (let retries = 0; ; retries++) {
    try {
      const answer = await request(chaos, method, url, headers, body);
      const inProgress = answer.status === 409 && answer.body.code === "idempotency_key_in_use";
      if (answer.status < 500 && answer.status !== 429 && !inProgress) return { ...answer, retries };
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    } catch (err) {
      if (!(err instanceof ConnectionLost)) throw err;
      last = err.message;
    }
    if (Date.now() > deadline) throw new Error(`${method} ${url}: no answer within ${RETRY_FOR_MS} ms (${last})`);
    await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 700)));
  }
}

export interface Ledger {
  /** Per Idempotency-Key of a checkout: every order id a 201 named. */
  checkouts: Map<string, Set<string>>;
  /** Order ids acknowledged with 201, with their cart. */
  orders: Map<string, { cartId: string; paymentId: string }>;
  soldOut: number;
  abandoned: Set<string>;
  /** Holds reserved and never put in a cart (before the first kill only): they must expire. */
  holdsAbandoned: number;
  holdsReserved: number;
  flashSoldOut: number;
  /** Per payment: the status the sandbox route answered. */
  payments: Map<string, { orderId: string; status: string }>;
  retries: number;
  unexpected: string[];
}

export interface Shop {
  /** The four regular SKUs. */
  skuIds: string[];
  flash: { saleId: string; skuId: string };
}

export async function shopper(chaos: Chaos, ledger: Ledger, shop: Shop, phase: () => number): Promise<void> {
  const storefront = { "x-publishable-key": chaos.publishableKey };
  const session = await answered(chaos, "POST", "/v1/shopper-sessions", storefront, {});
  if (session.status !== 201) throw new Error(`shopper session: ${session.status} ${JSON.stringify(session.body)}`);
  const auth = { ...storefront, authorization: `Bearer ${String(session.body.accessToken)}` };
  while (!chaos.stopped) {
    // A request left without an answer is recorded and the shopper goes on with a new cart.
    await buyOnce(chaos, ledger, shop, phase, auth).catch((err: unknown) => {
      ledger.unexpected.push(err instanceof Error ? err.message : String(err));
    });
  }
}

async function buyOnce(
  chaos: Chaos,
  ledger: Ledger,
  shop: Shop,
  phase: () => number,
  auth: Record<string, string>,
): Promise<void> {
  // A flash-sale unit first: a hold, reserved with an Idempotency-Key.
  let hold: { flashSaleId: string; skuId: string; holdId: string } | undefined;
  if (random() < FLASH_RATE) {
    const reserved = await answered(
      chaos,
      "POST",
      `/v1/flash-sales/${shop.flash.saleId}/reservations`,
      { ...auth, "idempotency-key": randomUUID() },
      { quantity: 1 },
    );
    if (reserved.status === 409 && reserved.body.code === "sold_out") ledger.flashSoldOut++;
    else if (reserved.status !== 201)
      throw new Error(`reservation: ${reserved.status} ${JSON.stringify(reserved.body)}`);
    else {
      ledger.holdsReserved++;
      hold = { flashSaleId: shop.flash.saleId, skuId: shop.flash.skuId, holdId: String(reserved.body.id) };
      if (phase() === 0 && (ledger.holdsAbandoned === 0 || random() < ABANDON_RATE)) {
        ledger.holdsAbandoned++;
        return;
      }
    }
  }
  const cart = await answered(chaos, "POST", "/v1/carts", auth, {});
  if (cart.status !== 201) throw new Error(`cart: ${cart.status} ${JSON.stringify(cart.body)}`);
  const cartId = String(cart.body.id);
  // One or two SKUs, one to three units each. Adding a line has no Idempotency-Key, so after a lost answer the
  // client reads the cart and sets what it wanted (as a storefront redrawing its cart would).
  const first = Math.floor(random() * SKUS);
  const wanted = new Map<string, number>([[shop.skuIds[first] ?? "", 1 + Math.floor(random() * 3)]]);
  if (random() < 0.5) wanted.set(shop.skuIds[(first + 1) % SKUS] ?? "", 1 + Math.floor(random() * 3));
  const adds: Record<string, unknown>[] = [
    ...(hold ? [hold] : []),
    ...[...wanted].map(([skuId, quantity]) => ({ skuId, quantity })),
  ];
  for (const add of adds) {
    await request(chaos, "POST", `/v1/carts/${cartId}/lines`, auth, add).catch((err) => {
      if (!(err instanceof ConnectionLost)) throw err;
    });
  }
  const read = await answered(chaos, "GET", `/v1/carts/${cartId}`, auth);
  const lines = (read.body.lines ?? []) as { id: string; skuId: string; quantity: number }[];
  if (hold && !lines.some((l) => l.skuId === hold.skuId)) {
    const added = await answered(chaos, "POST", `/v1/carts/${cartId}/lines`, auth, hold);
    if (added.status !== 200) throw new Error(`hold line: ${added.status} ${JSON.stringify(added.body)}`);
  }
  for (const [skuId, quantity] of wanted) {
    const line = lines.find((l) => l.skuId === skuId);
    if (line === undefined) await answered(chaos, "POST", `/v1/carts/${cartId}/lines`, auth, { skuId, quantity });
    else if (line.quantity !== quantity) {
      await answered(chaos, "PATCH", `/v1/carts/${cartId}/lines/${line.id}`, auth, { quantity });
    }
  }

  const checkoutKey = randomUUID();
  chaos.inFlight.checkout++;
  const checkout = await answered(
    chaos,
    "POST",
    `/v1/carts/${cartId}/checkout`,
    { ...auth, "idempotency-key": checkoutKey },
    {},
  ).finally(() => chaos.inFlight.checkout--);
  ledger.retries += checkout.retries;
  if (checkout.status === 409 && checkout.body.code === "sold_out") {
    ledger.soldOut++;
    return;
  }
  if (checkout.status !== 201) {
    ledger.unexpected.push(`checkout ${cartId}: ${checkout.status} ${JSON.stringify(checkout.body)}`);
    return;
  }
  const orderId = String(checkout.body.id);
  const paymentId = String((checkout.body.payment as { id: string }).id);
  ledger.checkouts.set(checkoutKey, new Set([...(ledger.checkouts.get(checkoutKey) ?? []), orderId]));
  ledger.orders.set(orderId, { cartId, paymentId });
  // A replay with the same key must name the same order (it is the client's own check after a retry).
  const replay = await answered(
    chaos,
    "POST",
    `/v1/carts/${cartId}/checkout`,
    {
      ...auth,
      "idempotency-key": checkoutKey,
    },
    {},
  );
  if (replay.status === 201) ledger.checkouts.get(checkoutKey)?.add(String(replay.body.id));
  else ledger.unexpected.push(`checkout replay ${cartId}: ${replay.status} ${JSON.stringify(replay.body)}`);

  if (phase() === 0 && (ledger.abandoned.size < 2 || random() < ABANDON_RATE)) {
    ledger.abandoned.add(orderId);
    return;
  }
  chaos.inFlight.payment++;
  const paid = await answered(
    chaos,
    "POST",
    `/v1/payments/${paymentId}/sandbox`,
    { ...auth, "idempotency-key": randomUUID() },
    { outcome: "succeed" },
  ).finally(() => chaos.inFlight.payment--);
  ledger.retries += paid.retries;
  if (paid.status === 200) {
    ledger.payments.set(paymentId, { orderId, status: String((paid.body.payment as { status: string }).status) });
  } else {
    ledger.unexpected.push(`payment ${paymentId}: ${paid.status} ${JSON.stringify(paid.body)}`);
  }
}
