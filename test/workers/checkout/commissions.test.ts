// Creator commissions, amounts computed by hand: earned per credited line when the order is paid (the product's
// rate, else the merchant's, floored), reversed in proportion by refunds down to exactly zero, payable after the
// return window (a return after that still reverses), told once by commission.payable; totals that add up.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it, vi } from "vitest";
import { asCreator, asMerchant, creators, shopper } from "./callers.ts";
import { call, cny, key, newMerchant } from "./helpers.ts";
import { decide, deliver, deliveredDaysAgo, paidOrderOf, requestReturn } from "./returns-helpers.ts";

interface Money {
  amount: number;
  currency: string;
}
interface Entry {
  id: string;
  kind: "earned" | "reversal";
  orderId: string;
  position: number;
  creatorId: string;
  amount: Money;
  rateBps: number;
  refundId: string | null;
  status: "pending" | "payable";
}
interface Totals {
  currency: string;
  earned: Money;
  reversed: Money;
  pending: Money;
  payable: Money;
}
interface Ledger {
  data: Entry[];
  nextCursor: string | null;
  totals: Totals[];
}

async function ledger(headers: Record<string, string>, orderId: string): Promise<Ledger> {
  const res = await call("GET", `/v1/commissions?orderId=${orderId}&limit=100`, { headers });
  expect(res.status).toBe(200);
  const body = await res.json<Ledger>();
  // The ledger always adds up: the entries' sum is the net, and the net is pending + payable.
  for (const t of body.totals) {
    const sum = body.data.filter((e) => e.amount.currency === t.currency).reduce((s, e) => s + e.amount.amount, 0);
    expect(sum).toBe(t.earned.amount - t.reversed.amount);
    expect(t.pending.amount + t.payable.amount).toBe(sum);
  }
  return body;
}

/** Each line's reversals, oldest first, as positive amounts. */
const reversals = (l: Ledger, position: number) =>
  l.data
    .filter((e) => e.kind === "reversal" && e.position === position)
    .reverse()
    .map((e) => -e.amount.amount);

const refund = (orderId: string, merchant: string, body: unknown) =>
  call("POST", `/v1/orders/${orderId}/refunds`, { headers: asMerchant(merchant), key: key(), body });

// Line 0: 3000 × 2 credited to creator 0 at the merchant's 800 bps: 6000 × 0.08 = 480.
// Line 1: 1999 × 3 credited to creator 1 at the product's own 1234 bps: 5997 × 0.1234 = 740.0298 → 740 (the
// merchant keeps 0.0298 fen). Line 2: 1500 × 1, not credited. Subtotal 13497 ≥ 9900: free shipping; paid 13497.
const threeLines = (creatorA: string, creatorB: string) => [
  { price: 3_000, quantity: 2, creator: creatorA },
  { price: 1_999, quantity: 3, creator: creatorB, rateBps: 1_234 },
  { price: 1_500, quantity: 1 },
];

describe("creator commissions", () => {
  it("earns per credited line at the product's rate, else the merchant's, floored; two creators; merchants see both", async () => {
    const merchant = await newMerchant(800);
    const { order, paid } = await paidOrderOf("cm1", merchant, threeLines(creators[0], creators[1]));
    expect(order.totals.total).toEqual(cny(13_497));

    const owed = await ledger(asMerchant(merchant), order.id);
    expect(
      owed.data.map((e) => [e.kind, e.position, e.creatorId, e.rateBps, e.amount.amount, e.status]).sort(),
    ).toEqual([
      ["earned", 0, creators[0], 800, 480, "pending"],
      ["earned", 1, creators[1], 1_234, 740, "pending"],
    ]);
    expect(owed.totals).toEqual([
      { currency: "CNY", earned: cny(1_220), reversed: cny(0), pending: cny(1_220), payable: cny(0) },
    ]);
    // The payment's success delivered again: nothing more is earned.
    const again = await call("POST", "/v1/webhooks/sandbox", {
      headers: { "x-sandbox-signature": paid?.webhook.signature ?? "" },
      body: JSON.parse(paid?.webhook.body ?? ""),
    });
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect((await ledger(asMerchant(merchant), order.id)).data).toHaveLength(2);
    // Each creator sees its own line only.
    const first = await ledger(asCreator(creators[0]), order.id);
    expect(first.data.map((e) => e.amount.amount)).toEqual([480]);
    expect(first.totals[0]?.pending).toEqual(cny(480));
    expect((await ledger(asCreator(creators[1]), order.id)).data.map((e) => e.amount.amount)).toEqual([740]);
    // Another merchant owes nothing for it; shoppers and merchants without orders:read may not look.
    expect((await ledger(asMerchant(await newMerchant()), order.id)).data).toEqual([]);
    expect((await call("GET", "/v1/commissions", { headers: shopper("cm1") })).status).toBe(401);
    expect((await call("GET", "/v1/commissions", { headers: asMerchant(merchant, ["analytics:read"]) })).status).toBe(
      403,
    );
  });

  it("a line sold from a live session earns the rate its shelf fixed", async () => {
    const merchant = await newMerchant(800);
    // 2000 × 1 shelved at 1500 bps (the product's own 1234 and the merchant's 800 give way): 300.
    const { order } = await paidOrderOf("cm6", merchant, [
      { price: 2_000, quantity: 1, creator: creators[1], rateBps: 1_234, shelfRateBps: 1_500 },
    ]);
    expect((await ledger(asCreator(creators[1]), order.id)).data).toMatchObject([
      { kind: "earned", rateBps: 1_500, amount: cny(300) },
    ]);
  });

  it("an order without credited lines earns nothing", async () => {
    const merchant = await newMerchant(800);
    const { order } = await paidOrderOf("cm2", merchant, [{ price: 5_000, quantity: 2 }]);
    expect(await ledger(asMerchant(merchant), order.id)).toEqual({ data: [], nextCursor: null, totals: [] });
  });

  it("reverses each line by the share refunded, to exactly zero once everything is refunded", async () => {
    const merchant = await newMerchant(800);
    const { order } = await paidOrderOf("cm3", merchant, threeLines(creators[0], creators[1]));
    const owed = () => ledger(asMerchant(merchant), order.id);

    // 1 of line 1's 3 units (1999): floor(740 × 1999 / 5997) = 246.
    expect((await refund(order.id, merchant, { lines: [{ position: 1, quantity: 1 }] })).status).toBe(201);
    expect(reversals(await owed(), 1)).toEqual([246]);

    // 1 unit of line 0 refunded as a goodwill 1000 of its 3000: line 0 given back 1000: floor(480 × 1000 / 6000) = 80.
    expect(
      (await refund(order.id, merchant, { lines: [{ position: 0, quantity: 1 }], amount: cny(1_000) })).status,
    ).toBe(201);
    expect(reversals(await owed(), 0)).toEqual([80]);

    // 2000 naming no lines: each line's share of the 13497 paid. Line 0: 6000 × 2000 / 13497 = 889 → given back 1889
    // → floor(480 × 1889 / 6000) = 151, so 71 more. Line 1: 5997 × 2000 / 13497 = 888 → 2887 → floor(740 × 2887 /
    // 5997) = 356, so 110 more. The uncredited line has nothing to reverse.
    expect((await refund(order.id, merchant, { amount: cny(2_000) })).status).toBe(201);
    let l = await owed();
    expect([reversals(l, 0), reversals(l, 1)]).toEqual([
      [80, 71],
      [246, 110],
    ]);
    expect(l.totals[0]).toMatchObject({ earned: cny(1_220), reversed: cny(507), pending: cny(713) });

    // The rest (8498): the order is refunded, every commission reversed in full: 480 − 151 = 329, 740 − 356 = 384.
    expect((await refund(order.id, merchant, {})).status).toBe(201);
    l = await owed();
    expect([reversals(l, 0), reversals(l, 1)]).toEqual([
      [80, 71, 329],
      [246, 110, 384],
    ]);
    expect(l.totals).toEqual([
      { currency: "CNY", earned: cny(1_220), reversed: cny(1_220), pending: cny(0), payable: cny(0) },
    ]);
    expect(l.data.filter((e) => e.kind === "reversal").every((e) => e.refundId?.startsWith("rfd_"))).toBe(true);
    // Each creator's share nets to zero too.
    expect((await ledger(asCreator(creators[1]), order.id)).totals[0]?.reversed).toEqual(cny(740));
  });

  it("a full refund at once reverses everything; a failed refund reverses nothing", async () => {
    const merchant = await newMerchant(800);
    // 2500 × 2 at 800 bps: 400. Paid 5000 + 1000 shipping.
    const { order } = await paidOrderOf("cm4", merchant, [{ price: 2_500, quantity: 2, creator: creators[0] }]);
    expect((await refund(order.id, merchant, { amount: cny(100), reason: "sandbox:fail" })).status).toBe(201);
    expect(reversals(await ledger(asMerchant(merchant), order.id), 0)).toEqual([]);
    expect((await refund(order.id, merchant, {})).status).toBe(201);
    const l = await ledger(asMerchant(merchant), order.id);
    expect(reversals(l, 0)).toEqual([400]);
    expect(l.totals[0]).toMatchObject({ earned: cny(400), reversed: cny(400), pending: cny(0), payable: cny(0) });
  });

  it("becomes payable after the return window, is told once, and a return after that still reverses it", async () => {
    const merchant = await newMerchant(800);
    const name = `cm5${Date.now().toString(36)}`;
    const endpoint = await call("POST", "/v1/webhook-endpoints", {
      headers: asMerchant(merchant),
      body: {
        url: `${inject("webhookReceiverUrl")}/hooks/${name}`,
        eventTypes: ["commission.payable", "return.requested", "return.approved", "return.rejected"],
      },
    });
    expect(endpoint.status).toBe(201);
    // Line 0: 3000 × 2 at 800 bps = 480, to creator 0.
    const { order } = await paidOrderOf("cm5", merchant, [{ price: 3_000, quantity: 2, creator: creators[0] }]);
    const timeout = env.ORDER_DEADLINES.getByName(order.id);
    await deliver(order.id, merchant);
    await deliveredDaysAgo(order.id, 6);
    // Not yet payable: the alarm tells no one and sleeps until the payable time.
    await runDurableObjectAlarm(timeout);
    expect((await ledger(asMerchant(merchant), order.id)).totals[0]).toMatchObject({ pending: cny(480) });

    const ret = await requestReturn(order.id, "cm5", { lines: [{ position: 0, quantity: 1 }], reason: "scratched" });
    expect(ret.status).toBe(201);
    // The window closes (delivered 8 days ago): payable, though the return asked in time is still open.
    await deliveredDaysAgo(order.id, 8);
    const payable = await ledger(asMerchant(merchant), order.id);
    expect(payable.totals[0]).toMatchObject({ pending: cny(0), payable: cny(480) });
    expect(payable.data[0]?.status).toBe("payable");
    expect(await runDurableObjectAlarm(timeout)).toBe(true);
    // Armed again (a redelivered payment event would): the event is not recorded twice.
    await timeout.armCommissions(order.id, Date.now());
    expect(await runDurableObjectAlarm(timeout)).toBe(true);

    // The return approved after that: 1 of 2 units, floor(480 × 3000 / 6000) = 240 reversed from what is payable.
    const { id: returnId } = await ret.json<{ id: string }>();
    expect((await decide(returnId, merchant, "approve")).status).toBe(200);
    const after = await ledger(asCreator(creators[0]), order.id);
    expect(reversals(after, 0)).toEqual([240]);
    expect(after.totals[0]).toMatchObject({ earned: cny(480), reversed: cny(240), pending: cny(0), payable: cny(240) });

    const got = await vi.waitFor(
      async () => {
        const res = await fetch(`${inject("webhookReceiverUrl")}/_received/${name}`);
        const deliveries = await res.json<{ body: string }[]>();
        if (deliveries.length < 3) throw new Error(`${deliveries.length} deliveries`);
        return deliveries.map((d) => JSON.parse(d.body) as { type: string; data: Record<string, unknown> });
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(got.map((m) => m.type)).toEqual(["return.requested", "commission.payable", "return.approved"]);
    expect(got[1]?.data).toMatchObject({
      object: "commission",
      orderId: order.id,
      position: 0,
      creatorId: creators[0],
      amount: cny(480),
      status: "payable",
    });
    expect(got[2]?.data).toMatchObject({ id: returnId, status: "approved" });
  });
});
