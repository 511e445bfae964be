// A benchmark's shop, set up through the platform's API: a demo merchant's products and flash sales, and its
// storefront's shopper sessions.
import type { Platform } from "../dev/platform.ts";
import { expectStatus, post } from "./platform.ts";
import { measure } from "./stats.ts";

/** A demo merchant (the first by default), and its secret key as request headers. */
export function demoMerchant(platform: Platform, index = 0) {
  const merchant = platform.credentials.merchants[index];
  if (!merchant) throw new Error(`no demo merchant ${index + 1}`);
  return { merchant, secret: { authorization: `Bearer ${merchant.secretKey}` } };
}

/** An active product with these SKUs (prices in CNY fen), made with a merchant's secret key: its id, its SKUs' ids. */
export async function createProduct(
  gw: string,
  secret: Record<string, string>,
  title: string,
  skus: { options: Record<string, string>; price: number; stock: number }[],
): Promise<{ id: string; skuIds: string[] }> {
  const product = expectStatus(
    `product ${title}`,
    await post(
      `${gw}/v1/products`,
      secret,
      {
        title,
        status: "active",
        skus: skus.map(({ options, price, stock }) => ({ options, price: { amount: price, currency: "CNY" }, stock })),
      },
      { retryDropped: true },
    ),
  );
  return { id: String(product.id), skuIds: (product.skus as { id: string }[]).map((s) => s.id) };
}

/** A flash sale of a SKU's units at `price` (CNY fen), one a shopper, open from a second ago for an hour: its id. */
export async function createFlashSale(
  gw: string,
  secret: Record<string, string>,
  sale: { skuId: string; quantity: number; price: number; shards?: number },
): Promise<string> {
  const created = expectStatus(
    `flash sale of ${sale.skuId}`,
    await post(`${gw}/v1/flash-sales`, secret, {
      skuId: sale.skuId,
      quantity: sale.quantity,
      price: { amount: sale.price, currency: "CNY" },
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      perShopperLimit: 1,
      shards: sale.shards,
    }),
  );
  return String(created.id);
}

/** `count` guest shopper sessions of a storefront, `concurrency` opened at a time: their access tokens. */
export async function shopperTokens(
  gw: string,
  publishableKey: string,
  count: number,
  concurrency: number,
): Promise<string[]> {
  const tokens: string[] = [];
  await measure("shopper sessions", concurrency, count, async () => {
    const session = expectStatus(
      "shopper session",
      await post(`${gw}/v1/shopper-sessions`, { "x-publishable-key": publishableKey }, {}, { retryDropped: true }),
    );
    tokens.push(String(session.accessToken));
  });
  return tokens;
}
