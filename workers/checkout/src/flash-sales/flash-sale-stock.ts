// One FlashSaleStock per flash sale, reached by the sale id: the single writer of that sale's stock while it runs.
// Every decision is synchronous SQL on the object's own storage (no await between reading and writing), so no
// interleaving can oversell. Units move between buckets that always add up: available + held + committed +
// returned = allotted. One idempotent alarm runs expiries, the write-behind tally, reminders, the end and returns.
// Design: docs/design/flash-sales.md
import { DurableObject } from "cloudflare:workers";
import { sql as drizzleSql, eq, type SQL } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { newId } from "#shared/ids.ts";
import { type Notice, notify } from "#shared/notifications.ts";
import { flashSaleReminders, flashSaleTallies, products, skus } from "#shared/schema.ts";
import { migrateStorage } from "#shared/storage.ts";
import { jsonSource, webhookEvent } from "#shared/webhook-events.ts";
import { holdTtlSeconds } from "../config.ts";
import { moveStock } from "../move-stock.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { type Book, type HoldRow, type OpenBook, stockMigrations } from "./stock-storage.ts";

/** A reservation's Idempotency-Key is honoured for a day (as Stripe does), then forgotten. */
const ATTEMPT_TTL_MS = 24 * 60 * 60 * 1000;

/** Counts are written behind to libSQL this long after the first change, not on every reservation. */
const FLUSH_DELAY_MS = 2_000;

export interface SaleTerms {
  flashSaleId: string;
  skuId: string;
  allotted: number;
  startsAt: string;
  endsAt: string;
  perShopperLimit: number;
  priceAmount: number;
  currency: string;
}

export interface StockSnapshot {
  allotted: number;
  available: number;
  held: number;
  committed: number;
  returned: number;
  waiting: number;
}

export type HoldStatus = "waiting" | "held" | "committed" | "released" | "expired";

export interface HoldView {
  id: string;
  flashSaleId: string;
  skuId: string;
  shopperId: string;
  quantity: number;
  status: HoldStatus;
  priceAmount: number;
  currency: string;
  expiresAt: string | null;
  /** Place in the waiting line (1 = next), for a waiting hold. */
  position: number | null;
  orderRef: string | null;
  createdAt: string;
}

export type RefusalReason = "sold_out" | "limit_exceeded" | "sale_not_started" | "sale_ended";

// Across RPC, refusals are results, not exceptions (docs/api/conventions.md#between-workers-and-objects).
export type OpenResult = ({ ok: true } & StockSnapshot) | { ok: false; reason: "invalid_allotment" };
export type ReserveResult =
  | { ok: true; hold: HoldView; replayed: boolean }
  | { ok: false; reason: RefusalReason; replayed: boolean }
  | { ok: false; reason: "not_opened" | "quantity_over_limit" | "key_reused"; limit?: number };
export type HoldResult =
  | { ok: true; hold: HoldView }
  | { ok: false; reason: "not_found" | "not_held" | "committed_elsewhere" | "committed" };

const iso = (ms: number) => new Date(ms).toISOString();

export class FlashSaleStock extends DurableObject<Env> {
  /** The alarm as last set by this instance (null: none), so the hot path need not read it back. */
  private alarmAt: number | null = null;
  private alarmPass: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrateStorage(ctx.storage.sql, stockMigrations);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  private book(): Book | null {
    return this.sql.exec<Book & Record<string, SqlStorageValue>>("SELECT * FROM book").toArray()[0] ?? null;
  }

  private openBook(): OpenBook | null {
    const book = this.book();
    if (!book || book.flash_sale_id === null || book.starts_at === null || book.ends_at === null) return null;
    return book as OpenBook;
  }

  private snapshotOf(book: Book): StockSnapshot {
    const waiting =
      this.sql.exec<{ n: number }>("SELECT coalesce(sum(quantity), 0) AS n FROM holds WHERE status = 'waiting'").one()
        .n ?? 0;
    const { allotted, available, held, committed, returned } = book;
    return { allotted, available, held, committed, returned, waiting };
  }

  private view(row: HoldRow, book: OpenBook): HoldView {
    let position: number | null = null;
    if (row.status === "waiting") {
      position = this.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE status = 'waiting' AND seq <= ?", row.seq)
        .one().n;
    }
    return {
      id: row.id,
      flashSaleId: book.flash_sale_id,
      skuId: book.sku_id,
      shopperId: row.shopper_id,
      quantity: row.quantity,
      status: row.status,
      priceAmount: book.price_amount,
      currency: book.currency,
      expiresAt: row.expires_at === null || row.status === "waiting" ? null : iso(row.expires_at),
      position,
      orderRef: row.ref,
      createdAt: iso(row.created_at),
    };
  }

  private hold(id: string): HoldRow | null {
    return this.sql.exec<HoldRow>("SELECT * FROM holds WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Moves units between buckets: each key is a column of `book` and the change to it. */
  private move(changes: Partial<Record<"available" | "held" | "committed" | "returned", number>>): void {
    const sets = Object.entries(changes).map(([column]) => `${column} = ${column} + ?`);
    this.sql.exec(`UPDATE book SET ${sets.join(", ")}, version = version + 1`, ...Object.values(changes));
  }

  private ttlMs(): number {
    return holdTtlSeconds(this.env) * 1000;
  }

  /**
   * The sale's stock, opening the book with its terms the first time; later calls never reset the stock. A book
   * opened before the terms were kept (storage v1) gets them now.
   */
  open(terms: SaleTerms): OpenResult {
    if (!Number.isSafeInteger(terms.allotted) || terms.allotted <= 0) return { ok: false, reason: "invalid_allotment" };
    const startsAt = Date.parse(terms.startsAt);
    const endsAt = Date.parse(terms.endsAt);
    // ON CONFLICT, not OR IGNORE: a CHECK violation must still throw.
    this.sql.exec(
      `INSERT INTO book (id, allotted, available, flash_sale_id, sku_id, starts_at, ends_at, per_shopper_limit,
                         price_amount, currency)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET flash_sale_id = excluded.flash_sale_id, sku_id = excluded.sku_id,
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, per_shopper_limit = excluded.per_shopper_limit,
         price_amount = excluded.price_amount, currency = excluded.currency
       WHERE book.flash_sale_id IS NULL`,
      terms.allotted,
      terms.allotted,
      terms.flashSaleId,
      terms.skuId,
      startsAt,
      endsAt,
      terms.perShopperLimit,
      terms.priceAmount,
      terms.currency,
    );
    const book = this.book();
    if (!book) throw new Error("flash sale book missing after open");
    // The end must come round even if nobody reserves: it returns unsold stock to the SKU.
    this.schedule(Date.now());
    return { ok: true, ...this.snapshotOf(book) };
  }

  snapshot(): ({ ok: true } & StockSnapshot) | { ok: false; reason: "not_opened" } {
    const book = this.book();
    return book ? { ok: true, ...this.snapshotOf(book) } : { ok: false, reason: "not_opened" };
  }

  /**
   * Reserves `quantity` units for a shopper: a hold until now + HOLD_TTL_SECONDS, or a place in the waiting line
   * (`wait`) while stock is gone but holds are out. Idempotent per shopper and key: a retry gets the first answer.
   */
  reserve(input: { shopperId: string; quantity: number; wait: boolean; idempotencyKey: string }): ReserveResult {
    const book = this.openBook();
    if (!book) return { ok: false, reason: "not_opened" };
    const requestHash = `${input.quantity}:${input.wait}`;
    const previous = this.sql
      .exec<{ request_hash: string; response: string }>(
        "SELECT request_hash, response FROM attempts WHERE shopper_id = ? AND idem_key = ?",
        input.shopperId,
        input.idempotencyKey,
      )
      .toArray()[0];
    if (previous) {
      if (previous.request_hash !== requestHash) return { ok: false, reason: "key_reused" };
      const first = JSON.parse(previous.response) as ReserveResult;
      return { ...first, replayed: true } as ReserveResult;
    }
    if (!Number.isSafeInteger(input.quantity) || input.quantity <= 0 || input.quantity > book.per_shopper_limit) {
      return { ok: false, reason: "quantity_over_limit", limit: book.per_shopper_limit };
    }
    const result = this.decide(book, input);
    this.sql.exec(
      "INSERT INTO attempts (shopper_id, idem_key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)",
      input.shopperId,
      input.idempotencyKey,
      requestHash,
      JSON.stringify(result),
      Date.now(),
    );
    return result;
  }

  private decide(book: OpenBook, input: { shopperId: string; quantity: number; wait: boolean }): ReserveResult {
    const now = Date.now();
    if (now < book.starts_at) return { ok: false, reason: "sale_not_started", replayed: false };
    if (now >= book.ends_at) return { ok: false, reason: "sale_ended", replayed: false };
    const mine = this.sql
      .exec<{ n: number }>(
        "SELECT coalesce(sum(quantity), 0) AS n FROM holds WHERE shopper_id = ? AND status IN ('waiting', 'held', 'committed')",
        input.shopperId,
      )
      .one().n;
    if (mine + input.quantity > book.per_shopper_limit) {
      return { ok: false, reason: "limit_exceeded", replayed: false };
    }
    const lineLength = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE status = 'waiting'").one().n;
    // Nobody overtakes the waiting line.
    const canTake = lineLength === 0 && book.available >= input.quantity;
    const canWait = input.wait && !canTake && book.held + book.committed > 0;
    if (!canTake && !canWait) return { ok: false, reason: "sold_out", replayed: false };
    const id = newId("hold", now);
    const expiresAt = canTake ? now + this.ttlMs() : null;
    this.sql.exec(
      "INSERT INTO holds (id, shopper_id, quantity, status, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      input.shopperId,
      input.quantity,
      canTake ? "held" : "waiting",
      expiresAt,
      now,
      now,
    );
    if (canTake) this.move({ available: -input.quantity, held: input.quantity });
    const row = this.hold(id);
    if (!row) throw new Error("hold missing after insert");
    if (expiresAt !== null) this.schedule(now, expiresAt);
    return { ok: true, hold: this.view(row, book), replayed: false };
  }

  /** A hold as it is now, for its shopper (someone else's is not found). */
  getHold(holdId: string, shopperId: string): HoldResult {
    const book = this.openBook();
    const row = this.hold(holdId);
    if (!book || !row || row.shopper_id !== shopperId) return { ok: false, reason: "not_found" };
    return { ok: true, hold: this.view(row, book) };
  }

  /** A hold as it is now, whoever owns it (for the checkout Worker pricing a cart line). */
  getHoldById(holdId: string): HoldResult {
    const book = this.openBook();
    const row = this.hold(holdId);
    if (!book || !row) return { ok: false, reason: "not_found" };
    return { ok: true, hold: this.view(row, book) };
  }

  /** The shopper gives a hold or a place in line back. Idempotent; a hold already in an order cannot be. */
  cancel(holdId: string, shopperId: string): HoldResult {
    const book = this.openBook();
    const row = this.hold(holdId);
    if (!book || !row || row.shopper_id !== shopperId) return { ok: false, reason: "not_found" };
    if (row.status === "committed") return { ok: false, reason: "committed" };
    if (row.status === "held" || row.status === "waiting") this.release(row, "released", Date.now());
    return this.getHold(holdId, shopperId);
  }

  /**
   * Checkout puts a live hold into an order (`ref`, the order's id): it stops expiring. Idempotent for the same ref;
   * committed elsewhere for another (a second checkout of the same cart racing the first).
   * Refused when the hold is not the shopper's, has expired or was released, or is in another order.
   */
  commit(holdId: string, shopperId: string, ref: string): HoldResult {
    const book = this.openBook();
    const row = this.hold(holdId);
    if (!book || !row || row.shopper_id !== shopperId) return { ok: false, reason: "not_found" };
    const now = Date.now();
    if (row.status === "committed") {
      return row.ref === ref ? { ok: true, hold: this.view(row, book) } : { ok: false, reason: "committed_elsewhere" };
    }
    if (row.status !== "held" || row.expires_at === null || row.expires_at <= now)
      return { ok: false, reason: "not_held" };
    this.sql.exec("UPDATE holds SET status = 'committed', ref = ?, updated_at = ? WHERE id = ?", ref, now, holdId);
    this.move({ held: -row.quantity, committed: row.quantity });
    this.schedule(now);
    return this.getHold(holdId, shopperId);
  }

  /** Undoes commit when the order could not be written: the hold is held again until its original expiry. */
  uncommit(holdId: string, ref: string): HoldResult {
    const row = this.hold(holdId);
    if (row?.status !== "committed" || row.ref !== ref) return { ok: false, reason: "not_held" };
    const now = Date.now();
    this.sql.exec("UPDATE holds SET status = 'held', ref = NULL, updated_at = ? WHERE id = ?", now, holdId);
    this.move({ held: row.quantity, committed: -row.quantity });
    // Its expiry may have passed meanwhile: the alarm releases it.
    this.schedule(now, row.expires_at ?? now);
    return this.getHold(holdId, row.shopper_id);
  }

  /** The order holding these units was cancelled: they go back to the sale (or, after it, to the SKU). Idempotent. */
  releaseCommitted(holdId: string, ref: string): HoldResult {
    const row = this.hold(holdId);
    if (!row) return { ok: false, reason: "not_found" };
    if (row.status === "committed" && row.ref === ref) this.release(row, "released", Date.now());
    else if (row.status === "committed") return { ok: false, reason: "committed_elsewhere" };
    return this.getHold(holdId, row.shopper_id);
  }

  private release(row: HoldRow, status: "released" | "expired", now: number): void {
    this.sql.exec("UPDATE holds SET status = ?, updated_at = ? WHERE id = ?", status, now, row.id);
    if (row.status === "held") this.move({ held: -row.quantity, available: row.quantity });
    if (row.status === "committed") this.move({ committed: -row.quantity, available: row.quantity });
    this.serveLine(now);
    this.schedule(now);
  }

  /** Released units go to the waiting line in order, as holds; the head of the line is never skipped. */
  private serveLine(now: number): void {
    const book = this.openBook();
    if (!book || now >= book.ends_at) return;
    let available = book.available;
    const waiting = this.sql.exec<HoldRow>("SELECT * FROM holds WHERE status = 'waiting' ORDER BY seq").toArray();
    for (const row of waiting) {
      if (row.quantity > available) break;
      const expiresAt = now + this.ttlMs();
      this.sql.exec(
        "UPDATE holds SET status = 'held', expires_at = ?, updated_at = ? WHERE id = ?",
        expiresAt,
        now,
        row.id,
      );
      this.move({ available: -row.quantity, held: row.quantity });
      available -= row.quantity;
    }
  }

  /** Sets the alarm to the earliest of `candidates` and what the book needs, unless it is already set earlier. */
  private schedule(now: number, ...candidates: number[]): void {
    const book = this.openBook();
    if (!book) return;
    const times = [...candidates];
    if (book.version > book.flushed_version) times.push(now + FLUSH_DELAY_MS);
    if (!book.reminded) times.push(book.starts_at);
    times.push(book.ends_at);
    const at = Math.min(...times);
    if (this.alarmAt === null || at < this.alarmAt) {
      this.alarmAt = at;
      void this.ctx.storage.setAlarm(at);
    }
  }

  /** What the alarm needs to do next, from storage alone. */
  private nextAlarm(now: number): number | null {
    const book = this.openBook();
    if (!book) return null;
    const times: number[] = [];
    const expiry = this.sql
      .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM holds WHERE status = 'held'")
      .one().at;
    if (expiry !== null) times.push(expiry);
    if (book.version > book.flushed_version) times.push(now + FLUSH_DELAY_MS);
    if (!book.reminded) times.push(book.starts_at);
    if (now < book.ends_at) times.push(book.ends_at);
    const oldestAttempt = this.sql.exec<{ at: number | null }>("SELECT min(created_at) AS at FROM attempts").one().at;
    if (oldestAttempt !== null) times.push(oldestAttempt + ATTEMPT_TTL_MS);
    return times.length > 0 ? Math.min(...times) : null;
  }

  override alarm(): Promise<void> {
    // One pass at a time even if a pass is invoked while another awaits the database (a test's
    // runDurableObjectAlarm beside the scheduled one): each pass then sees the previous one's result.
    const pass = this.alarmPass.then(() => this.runAlarm());
    this.alarmPass = pass.catch(() => undefined);
    return pass;
  }

  private async runAlarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const book = this.openBook();
    if (!book) return;
    // 1. Expired holds go back (to the line first).
    const expired = this.sql
      .exec<HoldRow>("SELECT * FROM holds WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at", now)
      .toArray();
    for (const row of expired) this.release(row, "expired", now);
    // 2. After the end: nobody waits any more, and unsold units go back to the SKU (holds still out may yet be paid).
    if (now >= book.ends_at) {
      this.sql.exec("UPDATE holds SET status = 'expired', updated_at = ? WHERE status = 'waiting'", now);
      await this.returnUnsold();
    }
    // 3. Counts written behind to libSQL.
    await this.flush();
    // 4. At the start, the reminder holders are told (once: the inbox keeps one notice per person and sale).
    if (now >= book.starts_at && !book.reminded) {
      await this.remind(book);
      this.sql.exec("UPDATE book SET reminded = 1");
    }
    // 5. Idempotency keys past their day are forgotten.
    this.sql.exec("DELETE FROM attempts WHERE created_at <= ?", now - ATTEMPT_TTL_MS);
    const next = this.nextAlarm(Date.now());
    this.alarmAt = next;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Sends the available units back to the SKU through the ledger. The ledger key names the running total returned,
   * so a retry after the write but before it was recorded here finds its own row (duplicate) and counts it once.
   */
  private async returnUnsold(): Promise<void> {
    const book = this.openBook();
    if (!book || book.available === 0) return;
    const units = book.available;
    const target = book.returned + units;
    const result = await moveStock({
      client: database(this.env).$client,
      skuId: book.sku_id,
      delta: units,
      reason: "flash_sale_return",
      idempotencyKey: `${book.flash_sale_id}:return:${target}`,
    });
    if (!result.ok && result.reason !== "duplicate") throw new Error(`flash sale return refused: ${result.reason}`);
    // While awaiting, units may only have come back (after the end nothing takes them); record these once.
    if ((this.openBook()?.returned ?? target) < target) this.move({ available: -units, returned: units });
  }

  /** Tells everyone who asked (flash_sale_reminders) that the sale has started, in their inbox. */
  private async remind(book: OpenBook): Promise<void> {
    const db = database(this.env);
    const [product] = await db
      .select({ title: products.title })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .where(eq(skus.id, book.sku_id));
    const notice: Notice = {
      kind: "flash_sale_started",
      subjectId: book.flash_sale_id,
      title: "限时抢购开始了",
      body: product?.title ?? book.sku_id,
      link: `/v1/flash-sales/${book.flash_sale_id}`,
    };
    const recipients = db
      .select({ personId: flashSaleReminders.personId })
      .from(flashSaleReminders)
      .where(eq(flashSaleReminders.flashSaleId, book.flash_sale_id));
    await notify(db, notice, recipients);
  }

  private async flush(): Promise<void> {
    const book = this.openBook();
    const ending = book !== null && Date.now() >= book.ends_at && !book.ended_told;
    if (!book || (book.version <= book.flushed_version && !ending)) return;
    const values = {
      flashSaleId: book.flash_sale_id,
      available: book.available,
      held: book.held,
      committed: book.committed,
      returned: book.returned,
      version: book.version,
      updatedAt: new Date().toISOString(),
    };
    const db = database(this.env);
    const [, ...results] = await db.batch([
      db
        .insert(flashSaleTallies)
        .values(values)
        .onConflictDoUpdate({
          target: flashSaleTallies.flashSaleId,
          set: values,
          setWhere: drizzleSql`excluded.version > ${flashSaleTallies.version}`,
        }),
      ...this.saleEvents(book, ending).map((statement) => db.run(statement)),
    ]);
    kickDispatchers(results);
    this.sql.exec(
      "UPDATE book SET flushed_version = max(flushed_version, ?), ended_told = max(ended_told, ?)",
      book.version,
      ending ? 1 : 0,
    );
  }

  /** Webhook events, each once per sale: flash_sale.sold_out when every unit is sold, flash_sale.ended after the end. */
  private saleEvents(book: OpenBook, ending: boolean): SQL[] {
    const data = {
      id: book.flash_sale_id,
      object: "flash_sale",
      skuId: book.sku_id,
      allotted: book.allotted,
      sold: book.committed,
      returned: book.returned,
      startsAt: new Date(book.starts_at).toISOString(),
      endsAt: new Date(book.ends_at).toISOString(),
    };
    const event = (type: "flash_sale.sold_out" | "flash_sale.ended") =>
      webhookEvent({
        type,
        source: jsonSource(data),
        merchants: drizzleSql`SELECT merchant_id FROM flash_sales WHERE id = ${book.flash_sale_id}`,
        dedupeKey: `${type}:${book.flash_sale_id}`,
      });
    const soldOut = book.available === 0 && book.held === 0 && book.returned === 0;
    return [...(soldOut ? event("flash_sale.sold_out") : []), ...(ending ? event("flash_sale.ended") : [])];
  }
}
