// moveStock: one stock move through the inventory ledger (shared/stock.ts) on its own, with its outcome: moved, a
// duplicate of a move already made (the ledger key makes a retried move count once), too little stock, or no SKU.
import type { Client } from "@libsql/client/web";
import { newId } from "#shared/ids.ts";
import { moveStockStatements, type StockMove } from "#shared/stock.ts";

export type MoveResult =
  | { ok: true; ledgerId: string; stockAfter: number }
  | { ok: false; reason: "insufficient_stock" | "duplicate" | "not_found"; stock: number };

export async function moveStock(input: { client: Client } & StockMove): Promise<MoveResult> {
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
