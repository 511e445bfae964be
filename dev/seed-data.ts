// Seeds the demo data (dev/demo.ts): merchants, creators, products, notes, a scheduled live session, a flash sale.
// Fixed ids and ON CONFLICT DO NOTHING make the seed idempotent: running it again changes nothing (but the demo
// keys' scopes, kept at every scope there is), and what later features add to these rows is kept.
import { sql } from "drizzle-orm";
import { sha256Hex } from "#shared/crypto.ts";
import { searchPinyin } from "#shared/pinyin.ts";
import * as s from "#shared/schema.ts";
import type { NodeDatabase } from "./database.ts";
import {
  allScopes,
  demo,
  demoFlashSaleId,
  demoFlashSaleQuantity,
  demoId,
  demoLiveSessionId,
  demoSearchSynonyms,
  demoSkuId,
  storefrontOrigins,
} from "./demo.ts";

// Deterministic demo keys, so every machine prints the same credentials; only their hashes are stored.
async function demoKey(kind: "sk_test" | "pk_test" | "ck_test", handle: string): Promise<string> {
  return `${kind}_${(await sha256Hex(`zhongcao demo ${kind} ${handle}`)).slice(0, 40)}`;
}

export interface DemoCredentials {
  merchants: { id: string; name: string; secretKey: string; publishableKey: string; scopes: string[] }[];
  creators: { id: string; name: string; creatorKey: string }[];
  liveSessionId: string;
  flashSaleId: string;
  productIds: string[];
}

const hour = 3_600_000;

/** The id of the n-th demo merchant's (from 0) secret or publishable key. */
const demoKeyId = (merchant: number, kind: "secret" | "publishable") =>
  demoId("key", 2 * merchant + (kind === "secret" ? 1 : 2));

/** Seeds the demo data once; returns the credentials to print. Safe to run on every start. */
export async function seedDemoData(db: NodeDatabase, now = new Date()): Promise<DemoCredentials> {
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();
  const merchants = await Promise.all(
    demo.merchants.map(async (m) => ({
      ...m,
      secretKey: await demoKey("sk_test", m.handle),
      publishableKey: await demoKey("pk_test", m.handle),
    })),
  );
  const creatorKeys = await Promise.all(demo.creators.map((c) => demoKey("ck_test", c.handle)));
  const merchantId = (n: number) => demo.merchants[n - 1]?.id ?? "";
  const productId = (n: number) => demo.products[n - 1]?.id ?? "";

  const keyRows = await Promise.all(
    merchants
      .flatMap((m, n) => [
        { n, key: m.secretKey, kind: "secret" as const, merchantId: m.id, scopes: allScopes, origins: [] },
        {
          n,
          key: m.publishableKey,
          kind: "publishable" as const,
          merchantId: m.id,
          scopes: [],
          origins: storefrontOrigins,
        },
      ])
      .map(async (k) => ({
        id: demoKeyId(k.n, k.kind),
        merchantId: k.merchantId,
        kind: k.kind,
        displayPrefix: `${k.key.slice(0, 12)}…`,
        hash: await sha256Hex(k.key),
        scopes: k.scopes,
        allowedOrigins: k.origins,
      })),
  );

  // Creator keys (exchanged for creator tokens at POST /v1/creator-sessions), after the merchants' keys.
  const creatorKeyRows = await Promise.all(
    demo.creators.map(async (c, i) => {
      const key = creatorKeys[i] ?? "";
      return {
        id: demoId("key", 100 + i + 1),
        creatorId: c.id,
        kind: "secret" as const,
        displayPrefix: `${key.slice(0, 12)}…`,
        hash: await sha256Hex(key),
        scopes: [],
        allowedOrigins: [],
      };
    }),
  );

  const productRows = demo.products.map((p) => ({
    id: p.id,
    merchantId: merchantId(p.merchant),
    title: p.title,
    searchPinyin: searchPinyin(p.title),
    description: p.description,
    brand: p.brand,
    category: p.category,
    status: p.status ?? ("active" as const),
    // Pictures are drawn and uploaded once the platform runs (dev/demo-images.ts).
    images: [],
  }));
  const skuRows = demo.products.flatMap((p, pi) =>
    p.skus.map((sku, si) => ({
      id: demoSkuId(pi + 1, si + 1),
      productId: p.id,
      options: sku.options,
      priceAmount: sku.price,
      currency: "CNY",
      stock: sku.stock,
    })),
  );
  // Stock is explained by the ledger: the opening count per SKU, then the flash sale's allotment moved out of it.
  const flashSaleSkuId = demoSkuId(3, 1);
  const ledgerRows = [
    ...skuRows.map((sku, i) => ({
      id: demoId("led", i + 1),
      skuId: sku.id,
      delta: sku.stock,
      reason: "initial_stock",
      idempotencyKey: "demo-seed",
    })),
    {
      id: demoId("led", 900),
      skuId: flashSaleSkuId,
      delta: -demoFlashSaleQuantity,
      reason: "flash_sale_allotment",
      idempotencyKey: demoFlashSaleId,
    },
  ];
  for (const sku of skuRows) if (sku.id === flashSaleSkuId) sku.stock -= demoFlashSaleQuantity;
  const noteRows = demo.notes.map((n) => ({
    id: n.id,
    creatorId: demo.creators[n.creator - 1]?.id ?? "",
    title: n.title,
    searchPinyin: searchPinyin(n.title),
    body: n.body,
    images: [],
    // The notes API adds a body's #hashtags to its topics; the seed does the same.
    topics: Array.from(n.body.matchAll(/#([\p{L}\p{N}_]{1,30})/gu), (m) => m[1] ?? ""),
    likeCount: n.likeCount,
    saveCount: n.saveCount,
  }));
  const noteProductRows = demo.notes.flatMap((n) => n.products.map((p) => ({ noteId: n.id, productId: productId(p) })));
  const liveStart = at(24 * hour);
  const liveTitle = "双11护肤彩妆专场 Double 11 beauty live";

  await db.batch([
    db
      .insert(s.merchants)
      .values(
        demo.merchants.map((m) => ({
          id: m.id,
          name: m.name,
          handle: m.handle,
          commissionRateBps: m.commissionRateBps,
        })),
      )
      .onConflictDoNothing(),
    db.insert(s.creators).values(demo.creators).onConflictDoNothing(),
    // Scopes refreshed on every start: a demo secret key carries every scope, including any added since it was seeded.
    db
      .insert(s.apiKeys)
      .values(keyRows)
      .onConflictDoUpdate({ target: s.apiKeys.id, set: { scopes: sql`excluded.scopes` } }),
    db.insert(s.apiKeys).values(creatorKeyRows).onConflictDoNothing(),
    db.insert(s.products).values(productRows).onConflictDoNothing(),
    db.insert(s.skus).values(skuRows).onConflictDoNothing(),
    db.insert(s.inventoryLedger).values(ledgerRows).onConflictDoNothing(),
    db.insert(s.notes).values(noteRows).onConflictDoNothing(),
    db.insert(s.noteProducts).values(noteProductRows).onConflictDoNothing(),
    db
      .insert(s.liveSessions)
      .values({
        id: demoLiveSessionId,
        hostType: "creator",
        creatorId: demo.creators[0]?.id,
        title: liveTitle,
        searchPinyin: searchPinyin(liveTitle),
        // Its cover is drawn and uploaded once the platform runs (dev/demo-images.ts).
        coverUrl: null,
        status: "scheduled",
        scheduledStartAt: liveStart,
      })
      .onConflictDoNothing(),
    db
      .insert(s.liveSessionProducts)
      .values([
        { sessionId: demoLiveSessionId, productId: productId(1), position: 1 },
        { sessionId: demoLiveSessionId, productId: productId(3), position: 2 },
      ])
      .onConflictDoNothing(),
    db
      .insert(s.flashSales)
      .values({
        id: demoFlashSaleId,
        merchantId: merchantId(2),
        skuId: flashSaleSkuId,
        liveSessionId: demoLiveSessionId,
        quantity: demoFlashSaleQuantity,
        priceAmount: 4900,
        currency: "CNY",
        perShopperLimit: 2,
        startsAt: at(24 * hour + 10 * 60_000),
        endsAt: at(26 * hour),
      })
      .onConflictDoNothing(),
    db
      .insert(s.searchSynonyms)
      .values(demoSearchSynonyms.flatMap((set) => set.terms.map((term) => ({ setName: set.name, term }))))
      .onConflictDoNothing(),
  ]);

  return {
    merchants: merchants.map((m) => ({
      id: m.id,
      name: m.name,
      secretKey: m.secretKey,
      publishableKey: m.publishableKey,
      scopes: allScopes,
    })),
    creators: demo.creators.map((c, i) => ({ id: c.id, name: c.name, creatorKey: creatorKeys[i] ?? "" })),
    liveSessionId: demoLiveSessionId,
    flashSaleId: demoFlashSaleId,
    productIds: demo.products.filter((p) => p.status !== "draft").map((p) => p.id),
  };
}

/**
 * Lets the demo storefront keys be used from `origins` too (the gateway's own, on whatever port it runs): added to
 * what each key allows, never replacing it. Run on every start, after seedDemoData.
 */
export async function allowDemoOrigins(db: NodeDatabase, origins: string[]): Promise<void> {
  const ids = demo.merchants.map((_, n) => demoKeyId(n, "publishable"));
  await db.$client.execute({
    sql: `UPDATE api_keys SET allowed_origins = (
            SELECT json_group_array(value) FROM (
              SELECT value FROM json_each(api_keys.allowed_origins) UNION SELECT value FROM json_each(?)))
          WHERE kind = 'publishable' AND id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(origins), JSON.stringify(ids)],
  });
}
