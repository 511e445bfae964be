// Flash sales: the terms in libSQL, the stock in the sale's FlashSaleStock object. Merchants create them
// (`flash_sales:write`); shoppers reserve, poll and cancel holds. A reservation is one RPC to the object, which
// also keeps its Idempotency-Key (see reserve-stock.ts for why not the shared middleware).
import { z } from "@hono/zod-openapi";
import type { Client } from "@libsql/client/web";
import { and, eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency, idempotencyKeyOf } from "#shared/idempotency.ts";
import { accepted, created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { reminderRoutes, resourceRoutes, route } from "#shared/openapi/routes.ts";
import { idOf, idParam } from "#shared/openapi/schemas.ts";
import { checkFirst, merchantScope, personId, principalOf, requireMerchant, requirePerson } from "#shared/principal.ts";
import { flashSaleReminders, flashSales } from "#shared/schema.ts";
import { createFlashSale } from "./create-flash-sale.ts";
import {
  FlashSaleCreateSchema,
  FlashSaleSchema,
  HoldSchema,
  saleStatus,
  termsOf,
  toFlashSale,
  toHold,
} from "./flash-sale.ts";
import { openedStock, reserveStock } from "./reserve-stock.ts";
import { shardName } from "./shards.ts";

const { create, retrieve } = resourceRoutes("fs", FlashSaleSchema, "The flash sale", {
  create: {
    summary: "Create a flash sale",
    input: FlashSaleCreateSchema,
    answer: "The flash sale (Location)",
    problems: [400, 401, 403, 404, 409, 422],
    description:
      "Needs `flash_sales:write`. Moves `quantity` units of your SKU out of its stock (ledger reason `flash_sale_allotment`); unsold units return when the sale ends (`flash_sale_return`). Takes an optional Idempotency-Key. 409 `conflict` when the SKU lacks the stock.",
  },
  retrieve: { summary: "Retrieve a flash sale with its stock left", problems: [400, 404] },
});

const ReservationInput = z
  .object({
    quantity: z.number().int().min(1).max(100).openapi({ description: "Units; at most the sale's perShopperLimit." }),
    wait: z.boolean().default(false).openapi({
      description: "When stock is gone but holds are out, join the waiting line (202) instead of 409 sold_out.",
    }),
  })
  .strict()
  .openapi("ReservationInput");

const holdParams = z.object({
  id: idParam("fs").shape.id,
  holdId: idOf("hold").openapi({ param: { name: "holdId", in: "path" } }),
});

const reserveRoute = route("POST /{id}/reservations", "Reserve flash-sale stock", {
  description:
    "A shopper (or creator) token and an Idempotency-Key. 201 with a hold that lasts HOLD_TTL_SECONDS; 202 with a waiting hold when `wait` is set and released stock may still come; 409 `sold_out`, `limit_exceeded`, `sale_not_started` or `sale_ended`. A retry with the same key gets the first answer (`Idempotent-Replayed: true`); with another body, 422.",
  request: { params: idParam("fs"), body: jsonBody(ReservationInput) },
  responses: {
    ...created(HoldSchema, "The hold"),
    ...accepted(HoldSchema, "A place in the waiting line", 400, 401, 404, 409, 422),
  },
});

const getHoldRoute = route("GET /{id}/reservations/{holdId}", "Retrieve one of your holds", {
  caller: checkFirst(requirePerson),
  description: "Its owner only (anyone else gets 404). Poll a waiting hold to learn when it is held.",
  request: { params: holdParams },
  responses: ok(HoldSchema, "The hold", 400, 401, 404),
});

const cancelHoldRoute = route("DELETE /{id}/reservations/{holdId}", "Give a hold (or a place in line) back", {
  caller: checkFirst(requirePerson),
  description: "Its owner only. Idempotent. A hold already in an order gets 409 `conflict`: cancel the order instead.",
  request: { params: holdParams },
  responses: ok(HoldSchema, "The released hold", 400, 401, 404, 409),
});

const reminder = reminderRoutes(
  "fs",
  "Remind me when this flash sale starts",
  "A signed-in shopper or creator, before the sale starts (409 `conflict` after). At the start, a `flash_sale_started` notification lands in their inbox (GET /v1/notifications). Idempotent.",
);

export const flashSaleRoutes = createRouter<{ Bindings: Env }>();

/**
 * Every shard of the sale, opened with its terms (later calls never reset the stock), and their sum: units in transit
 * between shards (moved out, not yet moved in) are still for sale.
 */
async function openShards(env: Env, row: typeof flashSales.$inferSelect) {
  const snapshots = await Promise.all(
    Array.from({ length: row.shards }, async (_, shard) => {
      const stock = await env.FLASH_SALE_STOCK.getByName(shardName(row.id, shard)).open(termsOf(row, shard));
      // The database's CHECKs keep quantity positive, so a refusal means the row and the object disagree.
      if (!stock.ok)
        throw new Error(`flash sale ${row.id}: shard ${shard} refused quantity ${row.quantity} (${stock.reason})`);
      return stock;
    }),
  );
  const sum = (pick: (s: (typeof snapshots)[number]) => number) => snapshots.reduce((n, s) => n + pick(s), 0);
  return {
    stockLeft: sum((s) => s.available + s.movedOut - s.movedIn),
    shards: snapshots.map(({ shard, available, held, committed, waiting, movedIn, movedOut }) => ({
      shard,
      available,
      held,
      committed,
      waiting,
      movedIn,
      movedOut,
    })),
  };
}

async function saleRow(env: Env, id: string) {
  const row = await database(env).query.flashSales.findFirst({ where: eq(flashSales.id, id) });
  if (!row) throw new ProblemError("not_found", `Flash sale ${id} does not exist.`);
  return row;
}

flashSaleRoutes.post("/", merchantScope("flash_sales:write"), idempotency({ required: false }));
flashSaleRoutes.openapi(create, async (c) => {
  const merchant = requireMerchant(c, "flash_sales:write");
  const now = new Date();
  const { row, productId } = await createFlashSale({
    db: database(c.env),
    merchantId: merchant.merchantId,
    input: c.req.valid("json"),
    now,
  });
  const stock = await openShards(c.env, row);
  purge(c, `/v1/products/${productId}`);
  c.header("location", `/v1/flash-sales/${row.id}`);
  return c.json(toFlashSale(row, stock.stockLeft, now), 201);
});

flashSaleRoutes.openapi(retrieve, async (c) => {
  const { id } = c.req.valid("param");
  const row = await saleRow(c.env, id);
  const stock = await openShards(c.env, row);
  const { actor } = principalOf(c);
  const own = actor.type === "merchant" && actor.merchantId === row.merchantId;
  c.header("cache-control", "no-store");
  return c.json(toFlashSale(row, stock.stockLeft, new Date(), own ? stock.shards : undefined), 200);
});

flashSaleRoutes.openapi(reminder.put, async (c) => {
  const { id } = c.req.valid("param");
  const person = personId(requirePerson(c));
  const row = await saleRow(c.env, id);
  if (saleStatus(row, new Date()) !== "scheduled") {
    throw new ProblemError("conflict", `Flash sale ${id} has already started.`);
  }
  await database(c.env).insert(flashSaleReminders).values({ flashSaleId: id, personId: person }).onConflictDoNothing();
  return c.body(null, 204);
});

flashSaleRoutes.openapi(reminder.delete, async (c) => {
  const { id } = c.req.valid("param");
  const person = personId(requirePerson(c));
  await saleRow(c.env, id);
  await database(c.env)
    .delete(flashSaleReminders)
    .where(and(eq(flashSaleReminders.flashSaleId, id), eq(flashSaleReminders.personId, person)));
  return c.body(null, 204);
});

// Who and which key, before the body is read.
flashSaleRoutes.post("/:id/reservations", async (c, next) => {
  requirePerson(c);
  idempotencyKeyOf(c, true);
  await next();
});
flashSaleRoutes.openapi(reserveRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { quantity, wait } = c.req.valid("json");
  const shopperId = personId(requirePerson(c));
  const { hold, replayed } = await reserveStock({
    env: c.env,
    flashSaleId: id,
    shopperId,
    quantity,
    wait,
    idempotencyKey: idempotencyKeyOf(c, true),
  });
  if (replayed) c.header("idempotent-replayed", "true");
  c.header("location", `/v1/flash-sales/${id}/reservations/${hold.id}`);
  return hold.status === "waiting" ? c.json(toHold(hold), 202) : c.json(toHold(hold), 201);
});

flashSaleRoutes.openapi(getHoldRoute, async (c) => {
  const { id, holdId } = c.req.valid("param");
  const shopperId = personId(requirePerson(c));
  const stub = await openedStock(c.env, id, holdId);
  const result = await stub.getHold(holdId, shopperId);
  if (!result.ok) throw new ProblemError("not_found", `Hold ${holdId} does not exist.`);
  c.header("cache-control", "no-store");
  return c.json(toHold(result.hold), 200);
});

flashSaleRoutes.openapi(cancelHoldRoute, async (c) => {
  const { id, holdId } = c.req.valid("param");
  const shopperId = personId(requirePerson(c));
  const stub = await openedStock(c.env, id, holdId);
  const result = await stub.cancel(holdId, shopperId);
  if (!result.ok) {
    if (result.reason === "committed") {
      throw new ProblemError("conflict", `Hold ${holdId} is in an order; cancel the order to release it.`);
    }
    throw new ProblemError("not_found", `Hold ${holdId} does not exist.`);
  }
  return c.json(toHold(result.hold), 200);
});

// The benchmark's routes (`npm run bench -- flash-sale`), off unless BENCH_NAIVE_RESERVATIONS is "true" and left out
// of the API document.
const benchOnly = (c: { env: Env; req: { path: string } }) => {
  if (c.env.BENCH_NAIVE_RESERVATIONS !== "true") {
    throw new ProblemError("not_found", `No route for POST ${c.req.path}.`);
  }
};

// The baseline: what a reservation costs done the naive way, one conditional
// `UPDATE skus SET stock = stock - ? WHERE … AND stock >= ?` in libSQL per request, on the sale's SKU's regular
// stock. It never oversells either, but every press is a write on the database primary; no holds, no limit, no
// ledger row (so the bench uses it on its own SKU only).
async function naiveDecision(client: Client, flashSaleId: string, quantity: number): Promise<boolean> {
  const result = await client.execute({
    sql: `UPDATE skus SET stock = stock - ? WHERE id = (SELECT sku_id FROM flash_sales WHERE id = ?) AND stock >= ?`,
    args: [quantity, flashSaleId, quantity],
  });
  return result.rowsAffected > 0;
}

flashSaleRoutes.post("/:id/naive-reservations", async (c) => {
  benchOnly(c);
  requirePerson(c);
  const { quantity } = z.object({ quantity: z.number().int().min(1).max(100) }).parse(await c.req.json());
  if (!(await naiveDecision(database(c.env).$client, c.req.param("id"), quantity))) {
    throw new ProblemError("sold_out", "No stock left.");
  }
  return c.json({ object: "naive_reservation", quantity }, 201);
});

// The stock decision alone, with no HTTP, gateway or dev proxy in front: `attempts` decisions of one unit from
// `concurrency` loops inside this Worker, each one RPC to the sale's object (`object`, as a reservation makes it),
// one conditional UPDATE in libSQL (`naive`), or one unit lent by the sale's shard 0 to shard 1 (`lend`, the RPC a
// short shard makes to another; the sale needs 2 shards or more), for `shoppers` distinct shoppers. Times are the Worker's clock,
// which advances at each I/O: good enough for a decision that is one I/O.
const DecisionBench = z
  .object({
    path: z.enum(["object", "naive", "lend"]),
    attempts: z.number().int().min(1).max(100_000),
    concurrency: z.number().int().min(1).max(1000),
    shoppers: z.number().int().min(1).max(100_000),
  })
  .strict();

flashSaleRoutes.post("/:id/bench-decisions", async (c) => {
  benchOnly(c);
  requireMerchant(c, "flash_sales:write");
  const input = DecisionBench.parse(await c.req.json());
  const id = c.req.param("id");
  const client = database(c.env).$client;
  const stub = c.env.FLASH_SALE_STOCK.getByName(id);
  const run = crypto.randomUUID();
  const decide = async (i: number): Promise<boolean> => {
    if (input.path === "naive") return naiveDecision(client, id, 1);
    if (input.path === "lend") {
      const lent = await stub.lend({ to: 1, units: 1, transferId: `${run}-${i}` });
      return lent.ok && lent.units > 0;
    }
    // Shoppers of this call only: a later call's decisions are grants and refusals as the first one's are.
    const shopperId = `shp_BENCH${run.slice(0, 8)}${i % input.shoppers}`;
    const result = await stub.reserve({ shopperId, quantity: 1, wait: false, idempotencyKey: `${run}-${i}` });
    return result.ok;
  };
  const latencies: number[] = [];
  let granted = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (next < input.attempts) {
        const i = next++;
        const t = performance.now();
        if (await decide(i)) granted++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return c.json({ ...input, seconds, granted, p50: at(0.5), p99: at(0.99) }, 200);
});
