// moveStock: the checkout Worker's side of the inventory ledger (the catalog's adjustInventory pattern): the
// conditional ledger row and the SKU's stock change in one batch (one transaction, one round trip). Stock never goes
// below zero, and the ledger key makes a retried move count once. Used for flash-sale and pre-sale allotments,
// returns, restocks and cancelled orders.
import type { Client, InStatement, InValue } from "@libsql/client/web";
import { newId } from "#shared/ids.ts";

export type MoveResult =
  | { ok: true; ledgerId: string; stockAfter: number }
  | { ok: false; reason: "insufficient_stock" | "duplicate" | "not_found"; stock: number };

/** The statements that move stock (ledger row first, only if the key is new and stock stays >= 0), for a caller's batch. */
export function moveStockStatements(move: {
  ledgerId: string;
  skuId: string;
  delta: number;
  reason: string;
  idempotencyKey: string;
  at: string;
  /** A further condition (SQL over `args`) for the move, checked when the batch runs (a return's restock). */
  when?: { sql: string; args: Record<string, InValue> };
}): InStatement[] {
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

export async function moveStock(input: {
  client: Client;
  skuId: string;
  delta: number;
  reason: string;
  idempotencyKey: string;
}): Promise<MoveResult> {
  const ledgerId = newId("led");
  const at = new Date().toISOString();
  const results = await input.client.batch(
    [
      ...moveStockStatements({ ledgerId, at, ...input }),
      {
        sql: "SELECT stock, EXISTS (SELECT 1 FROM inventory_ledger WHERE id = ?) AS moved FROM skus WHERE id = ?",
        args: [ledgerId, input.skuId],
      },
      {
        sql: "SELECT 1 FROM inventory_ledger WHERE sku_id = ? AND idempotency_key = ?",
        args: [input.skuId, input.idempotencyKey],
      },
    ],
    "write",
  );
  const state = results[3]?.rows[0];
  if (!state) return { ok: false, reason: "not_found", stock: 0 };
  const stock = Number(state.stock);
  if (Number(state.moved) === 1) return { ok: true, ledgerId, stockAfter: stock };
  const duplicate = (results[4]?.rows.length ?? 0) > 0;
  return { ok: false, reason: duplicate ? "duplicate" : "insufficient_stock", stock };
}
