// A flash sale spread over K FlashSaleStock shards: the create call's `shards`, the summed GET, and a fast-check
// model test of random interleavings of reservations (some concurrent), replays, cancels, expiries, commits,
// order cancellations, rebalances, deliveries between shards and object restarts, against a sequential model of
// the whole sale. Design: docs/design/flash-sales.md#shards
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FlashSaleStock } from "../../../workers/checkout/src/flash-sales/flash-sale-stock.ts";
import { homeShard, shardName, shardOfHold } from "../../../workers/checkout/src/flash-sales/shards.ts";
import { asMerchant, merchantId, otherMerchantId, shopperId } from "./callers.ts";
import { call, createSale, createSkus, key, reserve } from "./helpers.ts";

interface Hold {
  id: string;
  status: string;
  quantity: number;
}

const saleBody = (skuId: string, extra: Record<string, unknown>) => ({
  skuId,
  quantity: 10,
  price: { amount: 4900, currency: "CNY" },
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  ...extra,
});

describe("POST /v1/flash-sales with shards", () => {
  it("takes 1 to 64 shards, at most the quantity; 1 by default", async () => {
    const { skuIds } = await createSkus({ prices: [8900], stock: 1000 });
    const skuId = skuIds[0] ?? "";
    for (const shards of [0, 65, 2.5, "4"]) {
      const res = await call("POST", "/v1/flash-sales", {
        headers: asMerchant(merchantId),
        body: saleBody(skuId, { shards }),
      });
      expect(res.status, String(shards)).toBe(400);
      expect((await res.json<{ errors: { path: string }[] }>()).errors[0]?.path).toBe("/shards");
    }
    const tooMany = await call("POST", "/v1/flash-sales", {
      headers: asMerchant(merchantId),
      body: saleBody(skuId, { quantity: 3, shards: 4 }),
    });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json<{ errors: { path: string }[] }>()).errors[0]?.path).toBe("/shards");
    const plain = await call("POST", "/v1/flash-sales", { headers: asMerchant(merchantId), body: saleBody(skuId, {}) });
    expect(await plain.json()).toMatchObject({ shards: 1, stockLeft: 10 });
    const wide = await call("POST", "/v1/flash-sales", {
      headers: asMerchant(merchantId),
      body: saleBody(skuId, { quantity: 64, shards: 64 }),
    });
    expect(wide.status).toBe(201);
    expect(await wide.json()).toMatchObject({ shards: 64, stockLeft: 64, quantity: 64 });
  });
});

describe("GET /v1/flash-sales/{id} of a sharded sale", () => {
  it("adds up the shards; each shard's figures only for the sale's merchant", async () => {
    const sale = await createSale({ quantity: 10, shards: 4, perShopperLimit: 1 });
    const holds: { who: number; hold: Hold }[] = [];
    for (let who = 0; who < 6; who++) {
      const res = await reserve(sale.id, `agg${who}`, { quantity: 1 });
      expect(res.status).toBe(201);
      holds.push({ who, hold: await res.json<Hold>() });
    }
    // Each hold lives on its shopper's home shard, named in its id.
    for (const { who, hold } of holds) expect(shardOfHold(hold.id)).toBe(homeShard(shopperId(`agg${who}`), 4));
    const anonymous = await (await call("GET", `/v1/flash-sales/${sale.id}`)).json<Record<string, unknown>>();
    expect(anonymous).toMatchObject({ shards: 4, stockLeft: 4 });
    expect(anonymous.shardStock).toBeUndefined();
    const other = await (
      await call("GET", `/v1/flash-sales/${sale.id}`, { headers: asMerchant(otherMerchantId) })
    ).json<Record<string, unknown>>();
    expect(other.shardStock).toBeUndefined();
    const own = await (await call("GET", `/v1/flash-sales/${sale.id}`, { headers: asMerchant(merchantId) })).json<{
      stockLeft: number;
      shardStock: { shard: number; available: number; held: number; movedIn: number; movedOut: number }[];
    }>();
    expect(own.shardStock.map((s) => s.shard)).toEqual([0, 1, 2, 3]);
    expect(own.shardStock.reduce((n, s) => n + s.held, 0)).toBe(6);
    expect(own.shardStock.reduce((n, s) => n + s.available + s.movedOut - s.movedIn, 0)).toBe(own.stockLeft);
    // A hold is read and given back through its own shard.
    const first = holds[0];
    if (!first) throw new Error("no hold");
    const path = `/v1/flash-sales/${sale.id}/reservations/${first.hold.id}`;
    const who = { headers: shopperHeaders(`agg${first.who}`) };
    expect(await (await call("GET", path, who)).json()).toMatchObject({ id: first.hold.id, status: "held" });
    expect(await (await call("DELETE", path, who)).json()).toMatchObject({ status: "released" });
    expect(await (await call("GET", `/v1/flash-sales/${sale.id}`)).json()).toMatchObject({ stockLeft: 5 });
  });
});

import { shopper as shopperHeaders } from "./callers.ts";

// ---- The model test ----

interface ShardFigures {
  available: number;
  held: number;
  committed: number;
  returned: number;
  waiting: number;
  lineLength: number;
  movedIn: number;
  movedOut: number;
  holds: { id: string; status: string }[];
}

const stubOf = (saleId: string, shard: number) => env.FLASH_SALE_STOCK.getByName(shardName(saleId, shard));

async function figures(saleId: string, shards: number): Promise<ShardFigures[]> {
  return Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      runInDurableObject(stubOf(saleId, shard), (_obj: FlashSaleStock, state) => {
        const book = state.storage.sql
          .exec<{
            available: number;
            held: number;
            committed: number;
            returned: number;
            moved_in: number;
            moved_out: number;
          }>("SELECT available, held, committed, returned, moved_in, moved_out FROM book")
          .one();
        const line = state.storage.sql
          .exec<{ n: number; units: number }>(
            "SELECT count(*) AS n, coalesce(sum(quantity), 0) AS units FROM holds WHERE status = 'waiting'",
          )
          .one();
        const holds = state.storage.sql.exec<{ id: string; status: string }>("SELECT id, status FROM holds").toArray();
        return {
          holds,
          available: book.available,
          held: book.held,
          committed: book.committed,
          returned: book.returned,
          waiting: line.units,
          lineLength: line.n,
          movedIn: book.moved_in,
          movedOut: book.moved_out,
        };
      }),
    ),
  );
}

/** Every shard's due messages delivered (transfers to be confirmed included), by its own alarm, until none is left. */
async function settle(saleId: string, shards: number): Promise<void> {
  for (let round = 0; round < 5; round++) {
    let pending = 0;
    for (let shard = 0; shard < shards; shard++) {
      const stub = stubOf(saleId, shard);
      pending += await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
        state.storage.sql.exec("UPDATE outbox SET due_at = ?", Date.now() - 1);
        return state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
      });
      await runDurableObjectAlarm(stub);
    }
    if (pending === 0) return;
  }
}

/** Restarts a shard's object: its memory is gone, its storage stays. */
async function restart(saleId: string, shard: number): Promise<void> {
  await runInDurableObject(stubOf(saleId, shard), (_obj: FlashSaleStock, state) => {
    state.abort("restart");
  }).catch(() => undefined);
}

const ops = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("reserve" as const),
      who: fc.nat(7),
      quantity: fc.integer({ min: 1, max: 2 }),
      wait: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("replay" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("burst" as const),
      who: fc.array(fc.nat(7), { minLength: 2, maxLength: 6 }),
      wait: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("expire" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("commit" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancelOrder" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("rebalance" as const), shard: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("deliver" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("restart" as const), shard: fc.nat(7) }) },
);

interface ModelHold {
  id: string;
  who: string;
  quantity: number;
  status: string;
  ref: string | null;
}

describe("a sharded sale against a sequential model", () => {
  it("never oversells, strands nothing, keeps limits exact and replays identically", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 5, max: 12 }),
        fc.array(ops, { minLength: 5, maxLength: 28 }),
        async (shards, units, steps) => {
          run++;
          const limit = 2;
          const sale = await createSale({ quantity: units, shards, perShopperLimit: limit });
          const holds: ModelHold[] = [];
          const answers: {
            who: string;
            key: string;
            body: { quantity: number; wait: boolean };
            status: number;
            json: unknown;
          }[] = [];
          const who = (n: number) => `m${run}x${n}`;
          const active = (w: string) =>
            holds
              .filter((h) => h.who === w && ["waiting", "held", "committed"].includes(h.status))
              .reduce((n, h) => n + h.quantity, 0);

          const check = async () => {
            const all = await figures(sale.id, shards);
            const sum = (pick: (f: ShardFigures) => number) => all.reduce((n, f) => n + pick(f), 0);
            const inTransit = sum((f) => f.movedOut) - sum((f) => f.movedIn);
            // Nothing created or lost: every unit is in a bucket of some shard or in transit between two.
            expect(inTransit).toBeGreaterThanOrEqual(0);
            expect(sum((f) => f.available + f.held + f.committed + f.returned) + inTransit, "conservation").toBe(units);
            // Each shard read at one instant: the model's holds are the shards' holds, in the same states (a waiting
            // hold may have been served by released units meanwhile).
            const real = new Map(all.flatMap((f) => f.holds.map((h) => [h.id, h.status] as const)));
            for (const hold of holds) {
              if (hold.status === "waiting" && real.get(hold.id) === "held") hold.status = "held";
              expect(real.get(hold.id), hold.id).toBe(hold.status);
            }
            // Never oversold: the model's granted units are exactly the shards' held and committed ones.
            const granted = holds.filter((h) => h.status === "held" || h.status === "committed");
            expect(
              sum((f) => f.held + f.committed),
              `granted ${JSON.stringify({ all, holds })}`,
            ).toBe(granted.reduce((n, h) => n + h.quantity, 0));
            expect(
              sum((f) => f.waiting),
              "waiting",
            ).toBe(holds.filter((h) => h.status === "waiting").reduce((n, h) => n + h.quantity, 0));
            // Limits exact: nobody holds, waits for or bought more than the limit.
            for (const w of new Set(holds.map((h) => h.who))) expect(active(w)).toBeLessThanOrEqual(limit);
            return all;
          };

          const reserveOne = async (w: string, body: { quantity: number; wait: boolean }, idem: string) => {
            const res = await call("POST", `/v1/flash-sales/${sale.id}/reservations`, {
              headers: shopperHeaders(w),
              body,
              key: idem,
            });
            const json = await res.json<{ id?: string; status?: string; code?: string }>();
            answers.push({ who: w, key: idem, body, status: res.status, json });
            if (res.status === 201 || res.status === 202) {
              holds.push({ id: json.id ?? "", who: w, quantity: body.quantity, status: json.status ?? "", ref: null });
            } else {
              expect(res.status).toBe(409);
            }
            return { status: res.status, code: json.code };
          };

          for (const step of steps) {
            switch (step.op) {
              case "reserve": {
                await settle(sale.id, shards);
                const before = await check();
                const w = who(step.who);
                const body = { quantity: step.quantity, wait: step.wait };
                // Released units went to a waiting line before going back on sale, whichever shard it is on.
                if (before.some((f) => f.lineLength > 0)) {
                  for (const f of before) if (f.lineLength === 0) expect(f.available).toBe(0);
                }
                const homeIndex = homeShard(shopperId(w), shards);
                const home = before[homeIndex];
                if (!home) throw new Error("no home shard");
                const lendable =
                  home.lineLength > 0
                    ? 0
                    : home.available +
                      before.reduce((n, f, i) => n + (i !== homeIndex && f.lineLength === 0 ? f.available : 0), 0);
                const outstanding = before.reduce((n, f) => n + f.held + f.committed, 0);
                const mine = active(w);
                const answer = await reserveOne(w, body, key());
                if (mine + body.quantity > limit) {
                  expect(answer.code).toBe("limit_exceeded");
                } else if (home.lineLength === 0 && lendable >= body.quantity) {
                  // Nothing stranded: units anywhere (not promised to a line) are found.
                  expect(answer.status, JSON.stringify({ before, homeIndex, body })).toBe(201);
                } else if (answer.status === 409) {
                  expect(answer.code).toBe("sold_out");
                  // With `wait`, sold out only when no hold anywhere can come back.
                  if (body.wait) expect(outstanding).toBe(0);
                } else {
                  expect(answer.status).toBe(202);
                  expect(body.wait).toBe(true);
                }
                break;
              }
              case "burst": {
                // Concurrent reservations on several shards at once: real interleavings of pulls and decisions.
                await Promise.all(step.who.map((n) => reserveOne(who(n), { quantity: 1, wait: step.wait }, key())));
                break;
              }
              case "replay": {
                const first = answers[step.pick % Math.max(1, answers.length)];
                if (!first) break;
                const res = await call("POST", `/v1/flash-sales/${sale.id}/reservations`, {
                  headers: shopperHeaders(first.who),
                  body: first.body,
                  key: first.key,
                });
                expect(res.status).toBe(first.status);
                expect(res.headers.get("idempotent-replayed")).toBe("true");
                const again = (await res.json()) as Record<string, unknown>;
                if (first.status >= 400) {
                  expect(again.code).toBe((first.json as Record<string, unknown>).code);
                } else {
                  expect(again).toEqual(first.json);
                }
                break;
              }
              case "cancel": {
                const hold = holds.filter((h) => h.status === "held" || h.status === "waiting")[
                  step.pick % Math.max(1, holds.length)
                ];
                if (!hold) break;
                const res = await call("DELETE", `/v1/flash-sales/${sale.id}/reservations/${hold.id}`, {
                  headers: shopperHeaders(hold.who),
                });
                expect(res.status).toBe(200);
                hold.status = "released";
                break;
              }
              case "expire": {
                const hold = holds.filter((h) => h.status === "held")[step.pick % Math.max(1, holds.length)];
                if (!hold) break;
                const stub = stubOf(sale.id, shardOfHold(hold.id));
                await runInDurableObject(stub, (_obj: FlashSaleStock, state) => {
                  state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE id = ?", Date.now() - 1, hold.id);
                });
                // A pass of its own, queued behind any pass the scheduler started meanwhile (that one has taken the
                // stored alarm, so runDurableObjectAlarm would find none to run and the hold would stay held).
                await runInDurableObject(stub, (obj: FlashSaleStock) => obj.alarm());
                hold.status = "expired";
                break;
              }
              case "commit": {
                const hold = holds.filter((h) => h.status === "held")[step.pick % Math.max(1, holds.length)];
                if (!hold) break;
                const ref = `ord_${hold.id}`;
                const result = await stubOf(sale.id, shardOfHold(hold.id)).commit(hold.id, shopperId(hold.who), ref);
                expect(result.ok).toBe(true);
                hold.status = "committed";
                hold.ref = ref;
                break;
              }
              case "cancelOrder": {
                const hold = holds.filter((h) => h.status === "committed")[step.pick % Math.max(1, holds.length)];
                if (!hold?.ref) break;
                const result = await stubOf(sale.id, shardOfHold(hold.id)).releaseCommitted(hold.id, hold.ref);
                expect(result.ok).toBe(true);
                hold.status = "released";
                break;
              }
              case "rebalance":
                await stubOf(sale.id, step.shard % shards).rebalance();
                break;
              case "deliver":
                await settle(sale.id, shards);
                break;
              case "restart":
                await restart(sale.id, step.shard % shards);
                break;
            }
            await check();
          }

          // While demand exceeds stock every unit is sold: fresh shoppers (none waiting) take all that is left.
          await settle(sale.id, shards);
          const end = await check();
          const lined = end.some((f) => f.lineLength > 0);
          if (!lined) {
            const left = end.reduce((n, f) => n + f.available, 0);
            let took = 0;
            for (let n = 100; n < 100 + units + 2; n++) {
              const answer = await reserveOne(who(n), { quantity: 1, wait: false }, key());
              if (answer.status !== 201) break;
              took++;
            }
            expect(took, "drain").toBe(left);
            await settle(sale.id, shards);
            const drained = await check();
            expect(drained.reduce((n, f) => n + f.available, 0)).toBe(0);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 600_000);
});
