// The shelf and the pinned product: the room's only database reads, priced through shared/pricing.ts (the lowest
// unit price). Each item carries the attribution a purchase from the room credits. While someone watches, the pinned
// product's price and stock (and its flash sale's) are read again every REFRESH_INTERVAL_MS and broadcast on change.
// Design: docs/design/checkout.md#attribution-is-verified-not-trusted
import { and, eq, sql } from "drizzle-orm";
import { encodeAttribution } from "#shared/attribution.ts";
import { database } from "#shared/db.ts";
import { unitPriceSql } from "#shared/pricing.ts";
import { flashSales, flashSaleTallies, liveSessionProducts, products, skus } from "#shared/schema.ts";
import { iso, type RoomCore } from "./core.ts";
import type { PinnedProduct, ShelfItem } from "./protocol.ts";
import type { Timeline } from "./timeline.ts";

/** How often the pinned product's price and stock are read again. */
export const REFRESH_INTERVAL_MS = 5_000;

export const shelfMigrations = [
  `CREATE TABLE IF NOT EXISTS shelf (product_id TEXT PRIMARY KEY, position INTEGER NOT NULL, title TEXT NOT NULL,
     image_url TEXT, price_amount INTEGER, currency TEXT, stock_left INTEGER NOT NULL)`,
];

type ShelfRow = Omit<ShelfItem, "attribution">;

/** A product's title, images, lowest unit price and stock over its SKUs (the query groups by product). */
const productFigures = () => ({
  title: products.title,
  images: products.images,
  // The lowest unit price (shared/pricing.ts: a campaign price on its main day, else the list price).
  price: sql<number | null>`MIN(${sql.raw(unitPriceSql("skus"))})`,
  currency: sql<string | null>`MIN(${skus.currency})`,
  stock: sql<number>`COALESCE(SUM(${skus.stock}), 0)`,
});

function figuresOf(r: { images: string[]; price: number | null; currency: string | null; stock: number }) {
  return {
    imageUrl: r.images[0] ?? null,
    price: r.price === null || r.currency === null ? null : { amount: r.price, currency: r.currency },
    stockLeft: r.stock,
  };
}

export class Shelf {
  private readonly core: RoomCore;
  private readonly env: Env;
  private readonly timeline: Timeline;
  /** Sets the room's one alarm for whatever is due next. */
  private readonly setAlarm: () => Promise<void>;

  constructor(core: RoomCore, env: Env, timeline: Timeline, setAlarm: () => Promise<void>) {
    this.core = core;
    this.env = env;
    this.timeline = timeline;
    this.setAlarm = setAlarm;
  }

  /** The session's shelf as the database has it now. */
  async load(sessionId: string): Promise<ShelfRow[]> {
    const db = database(this.env);
    const rows = await db
      .select({
        productId: liveSessionProducts.productId,
        position: liveSessionProducts.position,
        ...productFigures(),
      })
      .from(liveSessionProducts)
      .innerJoin(products, eq(products.id, liveSessionProducts.productId))
      .leftJoin(skus, eq(skus.productId, products.id))
      .where(eq(liveSessionProducts.sessionId, sessionId))
      .groupBy(liveSessionProducts.productId)
      .orderBy(liveSessionProducts.position);
    return rows.map((r) => ({ productId: r.productId, position: r.position, title: r.title, ...figuresOf(r) }));
  }

  replace(shelf: ShelfRow[]): void {
    this.core.sql.exec("DELETE FROM shelf");
    for (const item of shelf) {
      this.core.sql.exec(
        "INSERT INTO shelf (product_id, position, title, image_url, price_amount, currency, stock_left) VALUES (?, ?, ?, ?, ?, ?, ?)",
        item.productId,
        item.position,
        item.title,
        item.imageUrl,
        item.price?.amount ?? null,
        item.price?.currency ?? null,
        item.stockLeft,
      );
    }
  }

  items(): ShelfItem[] {
    return this.core.sql
      .exec<{
        product_id: string;
        position: number;
        title: string;
        image_url: string | null;
        price_amount: number | null;
        currency: string | null;
        stock_left: number;
      }>("SELECT * FROM shelf ORDER BY position")
      .toArray()
      .map((r) => ({
        productId: r.product_id,
        position: r.position,
        title: r.title,
        imageUrl: r.image_url,
        price: r.price_amount === null || r.currency === null ? null : { amount: r.price_amount, currency: r.currency },
        stockLeft: r.stock_left,
        attribution: this.attribution(r.product_id),
      }));
  }

  /** The reference a purchase from this room carries (shared/attribution.ts): the session, and its host if a creator. */
  private attribution(productId: string): string {
    const host = this.core.get<string>("host_identity", "");
    return encodeAttribution({
      noteId: null,
      liveSessionId: this.core.get<string>("session_id", ""),
      creatorId: host.startsWith("cre_") ? host : null,
      productId,
    });
  }

  pinned(): PinnedProduct | null {
    return this.core.get<PinnedProduct | null>("pinned", null);
  }

  async pin(ws: WebSocket, productId: string, flashSaleId: string | null, ref?: string): Promise<void> {
    const onShelf = this.core.sql.exec("SELECT 1 FROM shelf WHERE product_id = ?", productId).toArray().length > 0;
    if (!onShelf) return this.core.error(ws, "not_found", "That product is not on the live session's shelf.", ref);
    const now = Date.now();
    const product = await this.liveProduct(productId, flashSaleId, now);
    if (!product) return this.core.error(ws, "not_found", "No such flash sale for that product.", ref);
    if (product.flashSale && Date.parse(product.flashSale.endsAt) <= now) {
      return this.core.error(ws, "sale_ended", "That flash sale has ended.", ref);
    }
    const previous = this.pinned();
    if (previous) this.timeline.recordUnpin(previous, now);
    this.core.set("pinned", product);
    this.timeline.recordPin(product, now);
    this.core.broadcast({ type: "pinned", product });
    this.scheduleRefresh(now);
  }

  unpin(now: number): void {
    const pinned = this.pinned();
    if (pinned) this.timeline.recordUnpin(pinned, now);
    this.core.set("pinned", null);
    this.core.set("refresh_at", null);
    this.core.broadcast({ type: "pinned", product: null });
  }

  /** The pinned product as it is now: its lowest price, the stock left, and its flash sale's terms and stock. */
  private async liveProduct(productId: string, flashSaleId: string | null, now: number): Promise<PinnedProduct | null> {
    const db = database(this.env);
    const [productRows, saleRows] = await db.batch([
      db
        .select(productFigures())
        .from(products)
        .leftJoin(skus, eq(skus.productId, products.id))
        .where(eq(products.id, productId))
        .groupBy(products.id),
      db
        .select({ sale: flashSales, available: flashSaleTallies.available })
        .from(flashSales)
        .innerJoin(skus, eq(skus.id, flashSales.skuId))
        .leftJoin(flashSaleTallies, eq(flashSaleTallies.flashSaleId, flashSales.id))
        .where(and(eq(flashSales.id, flashSaleId ?? ""), eq(skus.productId, productId))),
    ]);
    const row = productRows[0];
    if (!row) return null;
    const saleRow = saleRows[0];
    if (flashSaleId !== null && !saleRow) return null;
    const position =
      this.core.sql
        .exec<{ position: number }>("SELECT position FROM shelf WHERE product_id = ?", productId)
        .toArray()[0]?.position ?? 0;
    const item: PinnedProduct = {
      productId,
      position,
      title: row.title,
      ...figuresOf(row),
      attribution: this.attribution(productId),
      flashSale: saleRow
        ? {
            id: saleRow.sale.id,
            price: { amount: saleRow.sale.priceAmount, currency: saleRow.sale.currency },
            stockLeft: saleRow.available ?? saleRow.sale.quantity,
            startsAt: saleRow.sale.startsAt,
            endsAt: saleRow.sale.endsAt,
          }
        : null,
      serverTime: iso(now),
    };
    this.core.sql.exec(
      "UPDATE shelf SET price_amount = ?, currency = ?, stock_left = ? WHERE product_id = ?",
      item.price?.amount ?? null,
      item.price?.currency ?? null,
      item.stockLeft,
      productId,
    );
    return item;
  }

  refreshAt(): number | null {
    return this.core.get<number | null>("refresh_at", null);
  }

  /** Reads the pinned product's price and stock again; broadcasts only a change. Stops when no one is watching. */
  async refresh(now: number): Promise<void> {
    this.core.set("refresh_at", null);
    const pinned = this.pinned();
    if (!pinned || this.core.over()) return;
    // A flash sale past its end closes in the timeline and leaves the pinned product.
    const saleOver = pinned.flashSale !== null && Date.parse(pinned.flashSale.endsAt) <= now;
    const fresh = await this.liveProduct(pinned.productId, saleOver ? null : (pinned.flashSale?.id ?? null), now);
    // The pin may have changed while the database answered.
    if (this.pinned()?.productId !== pinned.productId || !fresh) return;
    if (saleOver && pinned.flashSale) {
      this.timeline.record("flash_sale_closed", pinned.productId, { flashSaleId: pinned.flashSale.id }, now);
    }
    const changed =
      saleOver ||
      fresh.stockLeft !== pinned.stockLeft ||
      fresh.price?.amount !== pinned.price?.amount ||
      fresh.flashSale?.stockLeft !== pinned.flashSale?.stockLeft;
    if (changed) {
      this.core.set("pinned", fresh);
      this.core.broadcast({ type: "pinned", product: fresh });
    }
    if (this.core.openSockets().length > 0) this.core.set("refresh_at", now + REFRESH_INTERVAL_MS);
  }

  /** A viewer arrived: refreshing resumes if something is pinned and no refresh is due. */
  watched(now: number): void {
    if (this.pinned() && this.refreshAt() === null) this.scheduleRefresh(now);
  }

  private scheduleRefresh(now: number): void {
    this.core.set("refresh_at", now + REFRESH_INTERVAL_MS);
    void this.setAlarm();
  }

  /** The room is over: no refresh is due any more, and with `unpin` nothing stays pinned. */
  stop(options: { unpin: boolean }): void {
    if (options.unpin) this.core.set("pinned", null);
    this.core.set("refresh_at", null);
  }
}
