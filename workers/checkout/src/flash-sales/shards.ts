// Which FlashSaleStock object holds what of a sale spread over K shards. Shard 0 is named by the sale id (so a sale
// with one shard is one object, as before shards existed), shard i by `<sale id>/<i>`. A shopper always talks to a
// home shard chosen by hashing the shopper id, so the per-shopper limit and the Idempotency-Keys live in one place;
// a hold's id names its shard. Design: docs/design/flash-sales.md#shards
import { eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { flashSales } from "#shared/schema.ts";

export const MAX_SHARDS = 64;

export function shardName(flashSaleId: string, shard: number): string {
  return shard === 0 ? flashSaleId : `${flashSaleId}/${shard}`;
}

/** FNV-1a over the id's UTF-16 units: cheap, stable across releases and evenly spread for ids. */
export function homeShard(shopperId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < shopperId.length; i++) {
    hash ^= shopperId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** A new hold id; shard i > 0 appends `s<i>` (lower case, which no id character is), shard 0's is a plain id. */
export function newHoldId(shard: number, now: number): string {
  const id = newId("hold", now);
  return shard === 0 ? id : `${id}s${shard}`;
}

export function shardOfHold(holdId: string): number {
  const match = /s(\d{1,2})$/.exec(holdId);
  return match ? Number(match[1]) : 0;
}

/** Shard `shard`'s first slice of `allotted` units (every shard gets at least one: shards ≤ allotted). */
export function sliceOf(allotted: number, shards: number, shard: number): number {
  return Math.floor(allotted / shards) + (shard < allotted % shards ? 1 : 0);
}

/** The object holding a hold (its sale's shard named in the hold id). */
export function stockOfHold(env: Env, flashSaleId: string, holdId: string) {
  return env.FLASH_SALE_STOCK.getByName(shardName(flashSaleId, shardOfHold(holdId)));
}

// A sale's shard count never changes: each isolate reads it once per sale, so the hot path stays one RPC.
const shardCounts = new Map<string, number>();

/** The sale's shard count (404 for an unknown sale). */
export async function shardsOf(env: Env, flashSaleId: string): Promise<number> {
  const known = shardCounts.get(flashSaleId);
  if (known !== undefined) return known;
  const [row] = await database(env)
    .select({ shards: flashSales.shards })
    .from(flashSales)
    .where(eq(flashSales.id, flashSaleId));
  if (!row) throw new ProblemError("not_found", `Flash sale ${flashSaleId} does not exist.`);
  if (shardCounts.size >= 10_000) shardCounts.clear();
  shardCounts.set(flashSaleId, row.shards);
  return row.shards;
}
