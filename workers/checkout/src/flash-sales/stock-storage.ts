// A FlashSaleStock object's own SQLite storage: its tables, as the migrations that built them, and the rows the
// object reads. The buckets of `book` always add up: available + held + committed + returned = slice + moved_in −
// moved_out (with one shard, slice is the allotment and nothing moves).
// Design: docs/design/flash-sales.md#the-buckets
import type { HoldStatus } from "./flash-sale-stock.ts";

/** In order, never edited once shipped: an object opened by an older version runs only the ones after its own. */
export const stockMigrations = [
  `CREATE TABLE book (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     allotted INTEGER NOT NULL CHECK (allotted > 0),
     available INTEGER NOT NULL CHECK (available >= 0 AND available <= allotted)
   )`,
  // v2: the sale's terms (filled by open(), so objects opened by v1 with only the allotment get them), and the
  // other buckets.
  "ALTER TABLE book ADD COLUMN flash_sale_id TEXT",
  "ALTER TABLE book ADD COLUMN sku_id TEXT",
  "ALTER TABLE book ADD COLUMN starts_at INTEGER",
  "ALTER TABLE book ADD COLUMN ends_at INTEGER",
  "ALTER TABLE book ADD COLUMN per_shopper_limit INTEGER",
  "ALTER TABLE book ADD COLUMN price_amount INTEGER",
  "ALTER TABLE book ADD COLUMN currency TEXT",
  "ALTER TABLE book ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)",
  "ALTER TABLE book ADD COLUMN committed INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0)",
  "ALTER TABLE book ADD COLUMN returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0)",
  // Bumped on every change; the write-behind sends a version newer than the last one flushed.
  "ALTER TABLE book ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE book ADD COLUMN flushed_version INTEGER NOT NULL DEFAULT 0",
  `CREATE TABLE holds (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     shopper_id TEXT NOT NULL,
     quantity INTEGER NOT NULL CHECK (quantity > 0),
     status TEXT NOT NULL CHECK (status IN ('waiting', 'held', 'committed', 'released', 'expired')),
     expires_at INTEGER,
     ref TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   )`,
  "CREATE INDEX holds_status ON holds (status, expires_at)",
  "CREATE INDEX holds_shopper ON holds (shopper_id, status)",
  // Reservation attempts by Idempotency-Key, per shopper: the first answer, replayed to a retry.
  `CREATE TABLE attempts (
     shopper_id TEXT NOT NULL,
     idem_key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     response TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (shopper_id, idem_key)
   ) WITHOUT ROWID`,
  // v3: whether the reminder holders were told of the start (set once they are, in libSQL's inbox).
  "ALTER TABLE book ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0",
  // v4: whether flash_sale.ended was recorded (by the write-behind after the end).
  "ALTER TABLE book ADD COLUMN ended_told INTEGER NOT NULL DEFAULT 0",
  // v5: shards. `allotted` stays the whole sale's; this shard's first `slice` plus the units moved in from other
  // shards, less those moved out, is what its buckets add up to.
  "ALTER TABLE book ADD COLUMN shard INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE book ADD COLUMN shards INTEGER NOT NULL DEFAULT 1",
  "ALTER TABLE book ADD COLUMN slice INTEGER",
  "UPDATE book SET slice = allotted",
  "ALTER TABLE book ADD COLUMN moved_in INTEGER NOT NULL DEFAULT 0 CHECK (moved_in >= 0)",
  "ALTER TABLE book ADD COLUMN moved_out INTEGER NOT NULL DEFAULT 0 CHECK (moved_out >= 0)",
  // The waiting units last announced to the other shards (they send released units here first).
  "ALTER TABLE book ADD COLUMN wants_announced INTEGER NOT NULL DEFAULT 0",
  // Transfers applied here, by id, so a transfer delivered twice counts once.
  `CREATE TABLE transfers_in (
     id TEXT PRIMARY KEY,
     from_shard INTEGER NOT NULL,
     units INTEGER NOT NULL CHECK (units > 0),
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
  // Messages to other shards, kept until delivered: units given (transfer), waiting units (want), stock back on sale
  // here (restocked). A unit moved out stays in transit in this table until the receiver has applied it.
  `CREATE TABLE outbox (
     id TEXT PRIMARY KEY,
     to_shard INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('transfer', 'want', 'restocked')),
     units INTEGER NOT NULL DEFAULT 0,
     version INTEGER NOT NULL DEFAULT 0,
     due_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
  // What the other shards told this one: units waiting in their lines (served first with released units here), and
  // whether this one told them it had none (they hear when it has some again).
  `CREATE TABLE peers (
     shard INTEGER PRIMARY KEY,
     wants INTEGER NOT NULL DEFAULT 0,
     want_version INTEGER NOT NULL DEFAULT 0,
     told_empty INTEGER NOT NULL DEFAULT 0
   )`,
] as const;

/** The one `book` row (available + held + committed + returned = slice + moved_in − moved_out): the buckets, the sale's terms (null until open()) and the write-behind's progress. */
export interface Book {
  allotted: number;
  available: number;
  held: number;
  committed: number;
  returned: number;
  version: number;
  flushed_version: number;
  reminded: number;
  ended_told: number;
  shard: number;
  shards: number;
  slice: number;
  moved_in: number;
  moved_out: number;
  wants_announced: number;
  flash_sale_id: string | null;
  sku_id: string | null;
  starts_at: number | null;
  ends_at: number | null;
  per_shopper_limit: number | null;
  price_amount: number | null;
  currency: string | null;
}

/** The book of an opened sale: its terms are known. */
export interface OpenBook extends Book {
  flash_sale_id: string;
  sku_id: string;
  starts_at: number;
  ends_at: number;
  per_shopper_limit: number;
  price_amount: number;
  currency: string;
}

/** A `holds` row: a shopper's units, waiting, held, committed to an order, or given back. */
export interface HoldRow {
  seq: number;
  id: string;
  shopper_id: string;
  quantity: number;
  status: HoldStatus;
  expires_at: number | null;
  ref: string | null;
  created_at: number;
  [key: string]: SqlStorageValue;
}
