// reserveStock: one RPC to the shopper's home shard of the sale (a FlashSaleStock object), which decides and records
// the answer, touching no database once it knows the sale's terms (the shard count is read once per isolate). Its Idempotency-Key replay lives in the object, not the shared table (two
// libSQL writes per request would put the database back on the hottest path); same contract, scoped to the sale.
// Design: docs/design/flash-sales.md#why-an-object-per-sale
import { eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { flashSales } from "#shared/schema.ts";
import { termsOf } from "./flash-sale.ts";
import type { HoldView, ReserveResult } from "./flash-sale-stock.ts";
import { homeShard, shardName, shardOfHold, shardsOf } from "./shards.ts";

const refusals = {
  sold_out: "has no stock left",
  limit_exceeded: "allows no more units for you (holds, places in line and orders count)",
  sale_not_started: "has not started yet",
  sale_ended: "has ended",
} as const;

/** The object holding a hold of the sale, opened with its terms from libSQL if it has not been yet; 404 for an unknown sale. */
export async function openedStock(env: Env, flashSaleId: string, holdId: string) {
  const shard = shardOfHold(holdId);
  const stub = env.FLASH_SALE_STOCK.getByName(shardName(flashSaleId, shard));
  const snapshot = await stub.snapshot();
  if (snapshot.ok) return stub;
  await open(env, flashSaleId, shard);
  return stub;
}

async function open(env: Env, flashSaleId: string, shard: number): Promise<void> {
  const row = await database(env).query.flashSales.findFirst({ where: eq(flashSales.id, flashSaleId) });
  if (!row) throw new ProblemError("not_found", `Flash sale ${flashSaleId} does not exist.`);
  // A hold id naming a shard the sale does not have is as unknown as a missing hold.
  if (shard >= row.shards) throw new ProblemError("not_found", `No such hold in flash sale ${flashSaleId}.`);
  const opened = await env.FLASH_SALE_STOCK.getByName(shardName(flashSaleId, shard)).open(termsOf(row, shard));
  if (!opened.ok) throw new Error(`flash sale ${flashSaleId}: stock object refused (${opened.reason})`);
}

export async function reserveStock(input: {
  env: Env;
  flashSaleId: string;
  shopperId: string;
  quantity: number;
  wait: boolean;
  idempotencyKey: string;
}): Promise<{ hold: HoldView; replayed: boolean }> {
  const shard = homeShard(input.shopperId, await shardsOf(input.env, input.flashSaleId));
  const stub = input.env.FLASH_SALE_STOCK.getByName(shardName(input.flashSaleId, shard));
  const request = {
    shopperId: input.shopperId,
    quantity: input.quantity,
    wait: input.wait,
    idempotencyKey: input.idempotencyKey,
  };
  let result: ReserveResult = await stub.reserve(request);
  if (!result.ok && result.reason === "not_opened") {
    await open(input.env, input.flashSaleId, shard);
    result = await stub.reserve(request);
  }
  if (result.ok) return { hold: result.hold, replayed: result.replayed };
  switch (result.reason) {
    case "not_opened":
      throw new Error(`flash sale ${input.flashSaleId}: object not opened after open()`);
    case "quantity_over_limit":
      throw new ProblemError("validation_failed", `This sale allows at most ${result.limit} units per shopper.`, {
        errors: [{ path: "/quantity", message: `must be at most ${result.limit}` }],
      });
    case "key_reused":
      throw new ProblemError(
        "idempotency_key_reused",
        `Idempotency-Key ${input.idempotencyKey} was used with a different request; use a new key.`,
      );
    default:
      throw new ProblemError(result.reason, `Flash sale ${input.flashSaleId} ${refusals[result.reason]}.`, {
        headers: result.replayed ? { "idempotent-replayed": "true" } : undefined,
      });
  }
}
