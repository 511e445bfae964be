// Stock changes only through the inventory ledger: the statements that write a ledger row (only if its key is new
// for the SKU and the stock stays at or above zero), then the SKU's stock and its product's version, all conditional
// on that row, for a caller's batch (one transaction, one round trip). The catalog's inventory adjustments and the
// checkout's allotments, returns, restocks and cancellations move stock through them.
import type { InStatement, InValue } from "@libsql/client/web";

/** A move as its caller asks for it: the SKU, the signed quantity, why, and the key that makes a retry count once. */
export interface StockMove {
  skuId: string;
  delta: number;
  reason: string;
  idempotencyKey: string;
}

/** The statements that move stock (ledger row first, only if the key is new and stock stays >= 0), for a caller's batch. */
export function moveStockStatements(
  move: StockMove & {
    ledgerId: string;
    at: string;
    /** A further condition (SQL over `args`) for the move, checked when the batch runs (a return's restock). */
    when?: { sql: string; args: Record<string, InValue> };
  },
): InStatement[] {
  const args = {
    ...move.when?.args,
    id: move.ledgerId,
    sku: move.skuId,
    delta: move.delta,
    reason: move.reason,
    key: move.idempotencyKey,
    at: move.at,
  };
  return [
    {
      sql: `INSERT INTO inventory_ledger (id, sku_id, delta, reason, idempotency_key, created_at)
            SELECT :id, :sku, :delta, :reason, :key, :at
            WHERE (SELECT stock + :delta FROM skus WHERE id = :sku) >= 0 ${move.when ? `AND ${move.when.sql}` : ""}
            ON CONFLICT (sku_id, idempotency_key) DO NOTHING`,
      args,
    },
    {
      sql: "UPDATE skus SET stock = stock + :delta WHERE id = :sku AND EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :id)",
      args,
    },
    {
      // The product's version (its ETag) follows its SKUs' stock.
      sql: `UPDATE products SET version = version + 1, updated_at = :at
            WHERE id = (SELECT product_id FROM skus WHERE id = :sku)
            AND EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :id)`,
      args,
    },
  ];
}
