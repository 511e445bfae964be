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

export class FlashSaleStock extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrateStorage(ctx.storage.sql, migrations));
  }

  /** The sale's stock, opening the book with `allotted` units the first time; later calls never reset it. */
  open(allotted: number): StockSnapshot {
    const sql = this.ctx.storage.sql;
    sql.exec("INSERT OR IGNORE INTO book (id, allotted, available) VALUES (1, ?, ?)", allotted, allotted);
    return sql.exec<{ allotted: number; available: number }>("SELECT allotted, available FROM book").one();
  }
}
