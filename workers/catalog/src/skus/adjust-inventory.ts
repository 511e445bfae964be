// adjustInventory: stock changes only through the ledger. The conditional decrement, the ledger row and the
// product's version bump run as one batch (one transaction, one round trip): stock never goes below zero, and
// every unit is explained by a ledger row whose idempotency key makes a retried adjustment count once.
import { env, waitUntil } from "cloudflare:workers";
import type { Client } from "@libsql/client/web";
import { sql } from "drizzle-orm";
import { newId } from "#shared/ids.ts";
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
}: {
  client: Client;
  skuId: string;
  delta: number;
  reason: string;
  idempotencyKey: string;
}): Promise<AdjustResult> {
  const id = newId("led");
  const createdAt = new Date().toISOString();
  const args = { id, sku: skuId, delta, reason, key: idempotencyKey, at: createdAt };
  const results = await client.batch(
    [
      // The ledger row first, and only if this key is new for the SKU and the stock would stay >= 0.
      {
        sql: `INSERT INTO inventory_ledger (id, sku_id, delta, reason, idempotency_key, created_at)
              SELECT :id, :sku, :delta, :reason, :key, :at
              WHERE (SELECT stock + :delta FROM skus WHERE id = :sku) >= 0
              ON CONFLICT (sku_id, idempotency_key) DO NOTHING`,
        args,
      },
      { sql: "SELECT changes() AS n", args: [] },
      {
        sql: `UPDATE skus SET stock = stock + :delta WHERE id = :sku
              AND EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :id)`,
        args,
      },
      {
        sql: `UPDATE products SET version = version + 1, updated_at = :at
              WHERE id = (SELECT product_id FROM skus WHERE id = :sku)
              AND EXISTS (SELECT 1 FROM inventory_ledger WHERE id = :id)`,
        args,
      },
      { sql: "SELECT stock FROM skus WHERE id = :sku", args },
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
  const [, inserted, , , after] = results;
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
