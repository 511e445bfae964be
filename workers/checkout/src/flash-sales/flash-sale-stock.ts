// Length: one object's whole life (decide, hold, commit, release, shards passing units, the alarm); splitting it
// would spread the synchronous decisions that keep it from overselling over several files.
// One FlashSaleStock per shard of a flash sale (one shard: one object, reached by the sale id): the single writer of
// that shard's stock while the sale runs. Every decision is synchronous SQL on the object's own storage (no await
// between reading and writing), so no interleaving can oversell. Units move between buckets that always add up:
// available + held + committed + returned = slice + moved_in − moved_out. A shard short of units takes a batch from
// another (lend, then a transfer delivered until applied); released units go to a waiting line first, its own and
// then the other shards'. One idempotent alarm runs expiries, deliveries to other shards, the write-behind tally,
// reminders, the end and returns. Design: docs/design/flash-sales.md
import { DurableObject } from "cloudflare:workers";
import { sql as drizzleSql, eq, type SQL } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { type Notice, notify } from "#shared/notifications.ts";
import { flashSaleReminders, flashSaleShardTallies, products, skus } from "#shared/schema.ts";
import { migrateStorage } from "#shared/storage.ts";
import { webhookEvent } from "#shared/webhook-events.ts";
import { holdTtlSeconds } from "../config.ts";
import { moveStock } from "../move-stock.ts";
import { kickDispatchers } from "../webhooks/kick.ts";
import { newHoldId, shardName, sliceOf } from "./shards.ts";
import { type Book, type HoldRow, type OpenBook, stockMigrations } from "./stock-storage.ts";

/** A reservation's Idempotency-Key is honoured for a day (as Stripe does), then forgotten. */
const ATTEMPT_TTL_MS = 24 * 60 * 60 * 1000;

/** Counts are written behind to libSQL this long after the first change, not on every reservation. */
const FLUSH_DELAY_MS = 2_000;

/** A transfer answered to the shard that asked is also delivered by the giver this long after, unless confirmed. */
const TRANSFER_CONFIRM_MS = 1_000;

/** A failed delivery to another shard is tried again this long after. */
const RETRY_MS = 1_000;

export interface SaleTerms {
  flashSaleId: string;
  skuId: string;
  allotted: number;
  startsAt: string;
  endsAt: string;
  perShopperLimit: number;
  priceAmount: number;
  currency: string;
  /** This object's shard and the sale's shard count (absent: 0 of 1). */
  shard?: number;
  shards?: number;
}

export interface StockSnapshot {
  allotted: number;
  available: number;
  held: number;
  committed: number;
  returned: number;
  waiting: number;
  shard: number;
  shards: number;
  /** Units passed to this shard by others, and by it to others (their difference summed over shards: in transit). */
  movedIn: number;
  movedOut: number;
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
export type LendResult =
  | { ok: true; units: number; transferId: string; available: number; outstanding: number }
  | { ok: false; reason: "not_opened" };
export type PeerResult = { ok: true } | { ok: false; reason: "not_opened" };
export type HoldResult =
  | { ok: true; hold: HoldView }
  | { ok: false; reason: "not_found" | "not_held" | "committed_elsewhere" | "committed" };

const iso = (ms: number) => new Date(ms).toISOString();

export class FlashSaleStock extends DurableObject<Env> {
  /** The alarm as last set by this instance (null: none), so the hot path need not read it back. */
  private alarmAt: number | null = null;
  private alarmPass: Promise<void> = Promise.resolve();
  /** What this shard last heard from each other shard: whether it had units to lend, and its holds out. */
  private peerState = new Map<number, { empty: boolean; outstanding: number }>();
  private pulling: Promise<void> | null = null;
  private delivering: Promise<void> | null = null;
  private rotation = 0;
  /** Reservations waiting on a pull, by shopper and key: a retry meanwhile waits for the first answer. */
  private reserving = new Map<string, Promise<ReserveResult>>();

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
    return {
      allotted,
      available,
      held,
      committed,
      returned,
      waiting,
      shard: book.shard,
      shards: book.shards,
      movedIn: book.moved_in,
      movedOut: book.moved_out,
    };
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
  private move(
    changes: Partial<Record<"available" | "held" | "committed" | "returned" | "moved_in" | "moved_out", number>>,
  ): void {
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
    const shard = terms.shard ?? 0;
    const shards = terms.shards ?? 1;
    const slice = sliceOf(terms.allotted, shards, shard);
    if (slice <= 0) return { ok: false, reason: "invalid_allotment" };
    // ON CONFLICT, not OR IGNORE: a CHECK violation must still throw.
    this.sql.exec(
      `INSERT INTO book (id, allotted, available, slice, shard, shards, flash_sale_id, sku_id, starts_at, ends_at,
                         per_shopper_limit, price_amount, currency)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET flash_sale_id = excluded.flash_sale_id, sku_id = excluded.sku_id,
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, per_shopper_limit = excluded.per_shopper_limit,
         price_amount = excluded.price_amount, currency = excluded.currency
       WHERE book.flash_sale_id IS NULL`,
      terms.allotted,
      slice,
      slice,
      shard,
      shards,
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
   * A shard out of units first takes a batch from the others (the only await; the decision after it is synchronous).
   */
  async reserve(input: {
    shopperId: string;
    quantity: number;
    wait: boolean;
    idempotencyKey: string;
  }): Promise<ReserveResult> {
    const first = this.reserveNow(input, false);
    if (first !== "short") return first;
    const key = `${input.shopperId}\n${input.idempotencyKey}`;
    const running = this.reserving.get(key);
    if (running) {
      await running.catch(() => undefined);
      return this.reserveNow(input, true) as ReserveResult;
    }
    const pass = this.reserveAfterPull(input);
    this.reserving.set(key, pass);
    try {
      return await pass;
    } finally {
      this.reserving.delete(key);
      // What a batch brought beyond the reservations it was for goes to other shards' lines first.
      if (!this.pulling) this.shareReleased(Date.now());
    }
  }

  private async reserveAfterPull(input: {
    shopperId: string;
    quantity: number;
    wait: boolean;
    idempotencyKey: string;
  }): Promise<ReserveResult> {
    const shards = this.book()?.shards ?? 1;
    for (let round = 0; round < shards; round++) {
      await this.pull(input.quantity);
      const result = this.reserveNow(input, false);
      if (result !== "short") return result;
    }
    return this.reserveNow(input, true) as ReserveResult;
  }

  /** The answer now, recorded under the key; "short" (not recorded) when other shards may have the units. */
  private reserveNow(
    input: { shopperId: string; quantity: number; wait: boolean; idempotencyKey: string },
    final: boolean,
  ): ReserveResult | "short" {
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
    const result = this.decide(book, input, final);
    if (result === "short") return result;
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

  private decide(
    book: OpenBook,
    input: { shopperId: string; quantity: number; wait: boolean },
    final: boolean,
  ): ReserveResult | "short" {
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
    // Another shard may have the units: take a batch from it first (reserveAfterPull), then decide.
    if (!canTake && !final && lineLength === 0 && this.peersMayLend(book)) return "short";
    const canWait = input.wait && !canTake && (book.held + book.committed > 0 || this.peersHoldOut(book));
    if (!canTake && !canWait) return { ok: false, reason: "sold_out", replayed: false };
    const id = newHoldId(book.shard, now);
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
    else this.announceWants(now);
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
    this.shareReleased(now);
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
    this.announceWants(now);
  }

  // Shards. Nothing below runs for a sale of one shard (shards = 1): no peers, no messages.

  private peer(book: OpenBook, shard: number) {
    return this.env.FLASH_SALE_STOCK.getByName(shardName(book.flash_sale_id, shard));
  }

  /** Calls another shard, opening it with the sale's terms (which this shard knows) if it never was. */
  private async callPeer<T extends { ok: boolean; reason?: string }>(
    book: OpenBook,
    shard: number,
    call: (stub: DurableObjectStub<FlashSaleStock>) => Promise<T>,
  ): Promise<T> {
    const stub = this.peer(book, shard);
    const first = await call(stub);
    if (first.ok || first.reason !== "not_opened") return first;
    await stub.open({
      flashSaleId: book.flash_sale_id,
      skuId: book.sku_id,
      allotted: book.allotted,
      startsAt: iso(book.starts_at),
      endsAt: iso(book.ends_at),
      perShopperLimit: book.per_shopper_limit,
      priceAmount: book.price_amount,
      currency: book.currency,
      shard,
      shards: book.shards,
    });
    return call(stub);
  }

  private otherShards(book: OpenBook): number[] {
    return Array.from({ length: book.shards }, (_, i) => i).filter((i) => i !== book.shard);
  }

  /** Whether some other shard may still lend units (not known to be out). */
  private peersMayLend(book: OpenBook): boolean {
    return this.otherShards(book).some((i) => this.peerState.get(i)?.empty !== true);
  }

  /** Whether holds may still come back on another shard (out, or not heard from). */
  private peersHoldOut(book: OpenBook): boolean {
    return this.otherShards(book).some((i) => (this.peerState.get(i)?.outstanding ?? 1) > 0);
  }

  /** Units a shard asks for at once: a quarter of a first slice (at least what the shopper wants). */
  private batchOf(book: OpenBook): number {
    return Math.max(1, Math.ceil(book.slice / 4));
  }

  /** Takes a batch of units from other shards; concurrent reservations share one pull. */
  private pull(units: number): Promise<void> {
    this.pulling ??= this.pullFromPeers(units).finally(() => {
      this.pulling = null;
    });
    return this.pulling;
  }

  private async pullFromPeers(units: number): Promise<void> {
    const book = this.openBook();
    if (!book || book.shards <= 1) return;
    const wanted = Math.max(units, this.batchOf(book));
    let got = 0;
    const start = this.rotation++;
    for (let step = 1; step < book.shards && got < units; step++) {
      const shard = (book.shard + start + step) % book.shards;
      if (shard === book.shard || this.peerState.get(shard)?.empty === true) continue;
      const answer = await this.callPeer(
        book,
        shard,
        (stub) =>
          stub.lend({
            to: book.shard,
            units: wanted - got,
            transferId: `${book.shard}:${crypto.randomUUID()}`,
          }) as Promise<LendResult>,
      );
      if (!answer.ok) continue;
      this.peerState.set(shard, { empty: answer.available === 0, outstanding: answer.outstanding });
      if (answer.units > 0) {
        this.receive({ transferId: answer.transferId, from: shard, units: answer.units });
        got += answer.units;
      }
    }
  }

  /** Tops this shard up to a batch from the others now, if it has less and no line (else it waits for a reservation). */
  async rebalance(): Promise<({ ok: true } & StockSnapshot) | { ok: false; reason: "not_opened" }> {
    const book = this.openBook();
    if (!book) return { ok: false, reason: "not_opened" };
    const lineLength = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE status = 'waiting'").one().n;
    if (book.shards > 1 && lineLength === 0 && book.available < this.batchOf(book)) {
      this.peerState.clear();
      await this.pull(this.batchOf(book) - book.available);
    }
    return this.snapshot();
  }

  /**
   * Another shard asks for units: up to `units` of this one's available ones leave at once (moved out, and into the
   * outbox until the asker confirms it applied them). None while this shard's own line waits or after the end.
   */
  lend(input: { to: number; units: number; transferId: string }): LendResult {
    const book = this.openBook();
    if (!book) return { ok: false, reason: "not_opened" };
    const now = Date.now();
    const lineLength = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE status = 'waiting'").one().n;
    const give = now >= book.ends_at || lineLength > 0 ? 0 : Math.max(0, Math.min(input.units, book.available));
    if (give > 0) {
      this.move({ available: -give, moved_out: give });
      this.sql.exec(
        "INSERT INTO outbox (id, to_shard, kind, units, due_at) VALUES (?, ?, 'transfer', ?, ?)",
        input.transferId,
        input.to,
        give,
        now + TRANSFER_CONFIRM_MS,
      );
      this.schedule(now, now + TRANSFER_CONFIRM_MS);
    }
    if (book.available - give === 0) {
      this.sql.exec(
        "INSERT INTO peers (shard, told_empty) VALUES (?, 1) ON CONFLICT (shard) DO UPDATE SET told_empty = 1",
        input.to,
      );
    }
    return {
      ok: true,
      units: give,
      transferId: input.transferId,
      available: book.available - give,
      outstanding: book.held + book.committed,
    };
  }

  /** Units from another shard: applied once per transfer id, then the line here is served first. */
  receive(input: { transferId: string; from: number; units: number }): PeerResult {
    const book = this.openBook();
    if (!book) return { ok: false, reason: "not_opened" };
    const now = Date.now();
    const seen = this.sql.exec("SELECT 1 FROM transfers_in WHERE id = ?", input.transferId).toArray().length > 0;
    if (seen) return { ok: true };
    this.sql.exec(
      "INSERT INTO transfers_in (id, from_shard, units, created_at) VALUES (?, ?, ?, ?)",
      input.transferId,
      input.from,
      input.units,
      now,
    );
    this.move({ available: input.units, moved_in: input.units });
    this.serveLine(now);
    // Units this shard pulled are for the reservations awaiting the pull; units pushed to it go to lines first.
    if (!this.pulling) this.shareReleased(now);
    this.tellRestocked(now);
    // After the end, the alarm returns them to the SKU.
    this.schedule(now);
    return { ok: true };
  }

  /** Another shard's line holds `units` waiting units (the newest announcement wins); released units go there first. */
  want(input: { from: number; units: number; version: number }): PeerResult {
    const book = this.openBook();
    if (!book) return { ok: false, reason: "not_opened" };
    this.sql.exec(
      `INSERT INTO peers (shard, wants, want_version) VALUES (?, ?, ?)
       ON CONFLICT (shard) DO UPDATE SET wants = excluded.wants, want_version = excluded.want_version
       WHERE excluded.want_version > peers.want_version`,
      input.from,
      input.units,
      input.version,
    );
    this.shareReleased(Date.now());
    return { ok: true };
  }

  /** Another shard has units on sale again: ask it next time this one runs short. */
  restocked(input: { from: number }): PeerResult {
    this.peerState.delete(input.from);
    return { ok: true };
  }

  /** Units available here, with no line of its own, go to the other shards' lines (oldest announcement first). */
  private shareReleased(now: number): void {
    const book = this.openBook();
    if (!book || book.shards <= 1 || now >= book.ends_at) return;
    const lineLength = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM holds WHERE status = 'waiting'").one().n;
    if (lineLength > 0) return;
    let available = book.available;
    const wanting = this.sql
      .exec<{ shard: number; wants: number }>("SELECT shard, wants FROM peers WHERE wants > 0 ORDER BY want_version")
      .toArray();
    for (const { shard, wants } of wanting) {
      const give = Math.min(available, wants);
      if (give <= 0) break;
      this.move({ available: -give, moved_out: give });
      this.sql.exec(
        "INSERT INTO outbox (id, to_shard, kind, units, due_at) VALUES (?, ?, 'transfer', ?, ?)",
        `${book.shard}:${crypto.randomUUID()}`,
        shard,
        give,
        now,
      );
      this.sql.exec("UPDATE peers SET wants = wants - ? WHERE shard = ?", give, shard);
      available -= give;
    }
    if (available > 0) this.tellRestocked(now);
    this.deliverSoon(now);
  }

  /** Shards told this one had nothing hear that it has units again. */
  private tellRestocked(now: number): void {
    const book = this.openBook();
    if (!book || book.shards <= 1 || book.available === 0) return;
    const told = this.sql.exec<{ shard: number }>("SELECT shard FROM peers WHERE told_empty = 1").toArray();
    if (told.length === 0) return;
    for (const { shard } of told) {
      this.sql.exec(
        "INSERT OR REPLACE INTO outbox (id, to_shard, kind, due_at) VALUES (?, ?, 'restocked', ?)",
        `restocked:${shard}`,
        shard,
        now,
      );
    }
    this.sql.exec("UPDATE peers SET told_empty = 0 WHERE told_empty = 1");
    this.deliverSoon(now);
  }

  /** Tells the other shards how many units wait in this one's line, when that changed. */
  private announceWants(now: number): void {
    const book = this.openBook();
    if (!book || book.shards <= 1) return;
    const waiting =
      this.sql.exec<{ n: number }>("SELECT coalesce(sum(quantity), 0) AS n FROM holds WHERE status = 'waiting'").one()
        .n ?? 0;
    if (waiting === book.wants_announced) return;
    this.sql.exec("UPDATE book SET wants_announced = ?, version = version + 1", waiting);
    const version = this.sql.exec<{ version: number }>("SELECT version FROM book").one().version;
    for (const shard of this.otherShards(book)) {
      this.sql.exec(
        "INSERT OR REPLACE INTO outbox (id, to_shard, kind, units, version, due_at) VALUES (?, ?, 'want', ?, ?, ?)",
        `want:${shard}`,
        shard,
        waiting,
        version,
        now,
      );
    }
    this.deliverSoon(now);
  }

  private deliverSoon(now: number): void {
    const due = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE due_at <= ?", now).one().n;
    if (due > 0) void this.deliver().catch(() => undefined);
  }

  /** Sends the outbox's due messages; each leaves it once the other shard has answered. One pass at a time. */
  private deliver(): Promise<void> {
    this.delivering ??= this.deliverDue().finally(() => {
      this.delivering = null;
    });
    return this.delivering;
  }

  private async deliverDue(): Promise<void> {
    const book = this.openBook();
    if (!book) return;
    for (let pass = 0; pass < 10; pass++) {
      const now = Date.now();
      const due = this.sql
        .exec<{ id: string; to_shard: number; kind: string; units: number; version: number }>(
          "SELECT id, to_shard, kind, units, version FROM outbox WHERE due_at <= ? ORDER BY due_at LIMIT 100",
          now,
        )
        .toArray();
      if (due.length === 0) return;
      await Promise.all(
        due.map(async (message) => {
          try {
            const from = book.shard;
            const answer = await this.callPeer(
              book,
              message.to_shard,
              (stub) =>
                (message.kind === "transfer"
                  ? stub.receive({ transferId: message.id, from, units: message.units })
                  : message.kind === "want"
                    ? stub.want({ from, units: message.units, version: message.version })
                    : stub.restocked({ from })) as Promise<PeerResult>,
            );
            if (!answer.ok) throw new Error(answer.reason);
            this.sql.exec("DELETE FROM outbox WHERE id = ? AND version = ?", message.id, message.version);
          } catch {
            const retryAt = Date.now() + RETRY_MS;
            this.sql.exec("UPDATE outbox SET due_at = ? WHERE id = ?", retryAt, message.id);
            this.schedule(Date.now(), retryAt);
          }
        }),
      );
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
    if (book.shards > 1) {
      const due = this.sql.exec<{ at: number | null }>("SELECT min(due_at) AS at FROM outbox").one().at;
      if (due !== null) times.push(due);
    }
    const at = Math.min(...times);
    if (this.alarmAt === null || at < this.alarmAt) {
      this.alarmAt = at;
      void this.ctx.storage.setAlarm(Math.max(at, now));
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
    const due = this.sql.exec<{ at: number | null }>("SELECT min(due_at) AS at FROM outbox").one().at;
    if (due !== null) times.push(due);
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
    // 3. Messages to other shards (units in transit among them), then the counts written behind to libSQL.
    await this.deliver();
    await this.flush();
    // 4. At the start, the reminder holders are told (once: the inbox keeps one notice per person and sale).
    if (now >= book.starts_at && !book.reminded) {
      // Shard 0 tells them; the others only note the start.
      if (book.shard === 0) await this.remind(book);
      this.sql.exec("UPDATE book SET reminded = 1");
    }
    // 5. Idempotency keys past their day are forgotten.
    this.sql.exec("DELETE FROM attempts WHERE created_at <= ?", now - ATTEMPT_TTL_MS);
    const next = this.nextAlarm(Date.now());
    this.alarmAt = next;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
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
      idempotencyKey: `${shardName(book.flash_sale_id, book.shard)}:return:${target}`,
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
    const updatedAt = new Date().toISOString();
    const mine = {
      flashSaleId: book.flash_sale_id,
      shard: book.shard,
      available: book.available,
      held: book.held,
      committed: book.committed,
      returned: book.returned,
      movedIn: book.moved_in,
      movedOut: book.moved_out,
      ended: ending || book.ended_told ? 1 : 0,
      version: book.version,
      updatedAt,
    };
    const db = database(this.env);
    const [, , ...results] = await db.batch([
      db
        .insert(flashSaleShardTallies)
        .values(mine)
        .onConflictDoUpdate({
          target: [flashSaleShardTallies.flashSaleId, flashSaleShardTallies.shard],
          set: mine,
          setWhere: drizzleSql`excluded.version > ${flashSaleShardTallies.version} OR excluded.ended > ${flashSaleShardTallies.ended}`,
        }),
      // The sale's tally: the shards' sum (units in transit between shards count as available), newer wins.
      db.run(drizzleSql`INSERT INTO flash_sale_tallies (flash_sale_id, available, held, committed, returned, version, updated_at)
        SELECT flash_sale_id, sum(available) + sum(moved_out) - sum(moved_in), sum(held), sum(committed), sum(returned),
               sum(version), ${updatedAt}
        FROM flash_sale_shard_tallies WHERE flash_sale_id = ${book.flash_sale_id} GROUP BY flash_sale_id
        ON CONFLICT (flash_sale_id) DO UPDATE SET available = excluded.available, held = excluded.held,
          committed = excluded.committed, returned = excluded.returned, version = excluded.version,
          updated_at = excluded.updated_at
        WHERE excluded.version > flash_sale_tallies.version`),
      ...this.saleEvents(book, ending).map((statement) => db.run(statement)),
    ]);
    kickDispatchers(results);
    this.sql.exec(
      "UPDATE book SET flushed_version = max(flushed_version, ?), ended_told = max(ended_told, ?)",
      book.version,
      ending ? 1 : 0,
    );
  }

  /**
   * Webhook events, each once per sale, from the sale's summed tally once every shard has written its own:
   * flash_sale.sold_out when every unit is sold (none available, held or in transit), flash_sale.ended once every
   * shard has passed the end. Each shard proposes them; the dedupe key records one.
   */
  private saleEvents(book: OpenBook, ending: boolean): SQL[] {
    const source = (when: SQL) => drizzleSql`SELECT json_object('id', f.id, 'object', 'flash_sale', 'skuId', f.sku_id,
        'allotted', f.quantity, 'sold', t.committed, 'returned', t.returned, 'startsAt', f.starts_at,
        'endsAt', f.ends_at) AS data, NULL AS sequence
      FROM flash_sale_tallies t JOIN flash_sales f ON f.id = t.flash_sale_id
      WHERE t.flash_sale_id = ${book.flash_sale_id} AND ${when}`;
    const event = (type: "flash_sale.sold_out" | "flash_sale.ended", when: SQL) =>
      webhookEvent({
        type,
        source: source(when),
        merchants: drizzleSql`SELECT merchant_id FROM flash_sales WHERE id = ${book.flash_sale_id}`,
        dedupeKey: `${type}:${book.flash_sale_id}`,
      });
    const everyShard = (extra: SQL) => drizzleSql`(SELECT count(*) FROM flash_sale_shard_tallies s
      WHERE s.flash_sale_id = f.id ${extra}) = f.shards`;
    const soldOut = book.available === 0 && book.held === 0 && book.returned === 0;
    return [
      ...(soldOut
        ? event(
            "flash_sale.sold_out",
            drizzleSql`t.available = 0 AND t.held = 0 AND t.returned = 0 AND ${everyShard(drizzleSql``)}`,
          )
        : []),
      ...(ending || book.ended_told ? event("flash_sale.ended", everyShard(drizzleSql`AND s.ended = 1`)) : []),
    ];
  }
}
