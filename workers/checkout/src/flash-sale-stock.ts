// One FlashSaleStock per flash sale, reached by the sale id: the single writer of that sale's stock while it runs,
// so concurrent "buy" presses are serialised here instead of racing in the database.
// The checkout issue adds holds, expiry alarms and the waiting line; the stock book starts here.
import { DurableObject } from "cloudflare:workers";
import { migrateStorage } from "../../../shared/storage.ts";

const migrations = [
  `CREATE TABLE book (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     allotted INTEGER NOT NULL CHECK (allotted > 0),
     available INTEGER NOT NULL CHECK (available >= 0 AND available <= allotted)
   )`,
] as const;

export interface StockSnapshot {
  allotted: number;
  available: number;
}

// Across RPC, refusals are results, not exceptions (STYLE.md).
export type OpenResult = ({ ok: true } & StockSnapshot) | { ok: false; reason: "invalid_allotment" };

export class FlashSaleStock extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateStorage(ctx.storage.sql, migrations));
  }

  /** The sale's stock, opening the book with `allotted` units the first time; later calls never reset it. */
  open(allotted: number): OpenResult {
    if (!Number.isSafeInteger(allotted) || allotted <= 0) return { ok: false, reason: "invalid_allotment" };
    const sql = this.ctx.storage.sql;
    // ON CONFLICT, not OR IGNORE: a CHECK violation must still throw.
    sql.exec(
      "INSERT INTO book (id, allotted, available) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
      allotted,
      allotted,
    );
    const book = sql.exec<{ allotted: number; available: number }>("SELECT allotted, available FROM book").one();
    return { ok: true, ...book };
  }
}
