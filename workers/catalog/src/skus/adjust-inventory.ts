// adjustInventory: a merchant's stock adjustment through the inventory ledger (shared/stock.ts), in one batch with
// the stock it leaves and the inventory.low event it may raise: stock never goes below zero, and every unit is
// explained by a ledger row whose idempotency key makes a retried adjustment count once.
import { env, waitUntil } from "cloudflare:workers";
import type { Client } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import { newId } from "#shared/ids.ts";
import { moveStockStatements, type StockMove } from "#shared/stock.ts";
import { inventoryLowEvent, rawStatements } from "#shared/webhook-events.ts";
import { kickFannedOut } from "#shared/webhook-kick.ts";

export type AdjustResult =
  | { ok: true; adjustment: { id: string; delta: number; reason: string; stockAfter: number; createdAt: string } }
  | { ok: false; reason: "insufficient_stock" | "duplicate"; stock: number };

export async function adjustInventory({
  client,
  skuId,
  delta,
  reason,
  idempotencyKey,
}: { client: Client } & StockMove): Promise<AdjustResult> {
  const id = newId("led");
  const createdAt = new Date().toISOString();
  const results = await client.batch(
    [
      ...moveStockStatements({ ledgerId: id, skuId, delta, reason, idempotencyKey, at: createdAt }),
      { sql: "SELECT EXISTS (SELECT 1 FROM inventory_ledger WHERE id = ?) AS n", args: [id] },
      { sql: "SELECT stock FROM skus WHERE id = ?", args: [skuId] },
      // inventory.low if this adjustment took the stock below a threshold; its endpoints' dispatchers are kicked.
      ...rawStatements(
        inventoryLowEvent(
          skuId,
          delta,
          sql`EXISTS (SELECT 1 FROM inventory_ledger WHERE id = ${id})`,
          new Date(createdAt),
        ),
      ),
    ],
    "write",
  );
  waitUntil(kickFannedOut(env.WEBHOOK_DISPATCHER, results));
  const [, , , inserted, after] = results;
  const stock = Number(after?.rows[0]?.stock ?? 0);
  if (Number(inserted?.rows[0]?.n ?? 0) === 1) {
    return { ok: true, adjustment: { id, delta, reason, stockAfter: stock, createdAt } };
  }
  const duplicate = await client.execute({
    sql: "SELECT 1 FROM inventory_ledger WHERE sku_id = ? AND idempotency_key = ?",
    args: [skuId, idempotencyKey],
  });
  return { ok: false, reason: duplicate.rows.length > 0 ? "duplicate" : "insufficient_stock", stock };
}
