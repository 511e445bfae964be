// One OrderDeadlines per order, reached by the order id: its alarm is the order's clock. At the payment deadline it
// cancels the order if still unpaid (or, if the order was never written, gives back the holds its checkout named);
// once paid with commissions it releases them when payable; a pre-sale order's alarm walks its deposit and balance
// windows. Every step is conditional, so a late or repeated alarm is harmless.
// Design: docs/design/order-deadlines.md
import { DurableObject } from "cloudflare:workers";
import { database } from "#shared/db.ts";
import { releaseCommissions } from "../commissions/release-commissions.ts";
import { stockOfHold } from "../flash-sales/shards.ts";
import { advancePresaleOrder } from "../presales/advance-presale-order.ts";
import { cancelOrder } from "./cancel-order.ts";

const RECHECK_MS = 15 * 60_000;

/** A flash-sale hold an order's checkout commits. */
export interface OrderHold {
  flashSaleId: string;
  holdId: string;
}

export class OrderDeadlines extends DurableObject<Env> {
  /** Arms the deadline for `orderId` (idempotent; the earliest deadline wins), with the holds its checkout commits. */
  async arm(orderId: string, at: number, holds: OrderHold[] = []): Promise<void> {
    await this.ctx.storage.put("orderId", orderId);
    if (holds.length > 0) await this.ctx.storage.put("holds", holds);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /** The order is paid with commissions: from now on the alarm releases them (idempotent; the earliest wins). */
  async armCommissions(orderId: string, at: number): Promise<void> {
    await this.ctx.storage.put("commissions", true);
    await this.arm(orderId, at);
  }

  /** A pre-sale order: the alarm advances it by its windows from now on (idempotent; the earliest wins). */
  async armPresale(orderId: string, at: number): Promise<void> {
    await this.ctx.storage.put("presale", true);
    await this.arm(orderId, at);
  }

  override async alarm(): Promise<void> {
    const orderId = await this.ctx.storage.get<string>("orderId");
    if (orderId === undefined) return;
    if (await this.ctx.storage.get<boolean>("commissions")) {
      const next = await releaseCommissions({ env: this.env, db: database(this.env), orderId });
      if (next !== null) await this.ctx.storage.setAlarm(next);
      return;
    }
    if (await this.ctx.storage.get<boolean>("presale")) {
      const next = await advancePresaleOrder({ env: this.env, db: database(this.env), orderId });
      if (next !== null) await this.ctx.storage.setAlarm(next);
      return;
    }
    const result = await cancelOrder({ env: this.env, db: database(this.env), orderId, reason: "payment_timeout" });
    if (result.status === "missing") {
      // Never written: the holds its checkout committed go back (each expires at once if its time has passed).
      const holds = (await this.ctx.storage.get<OrderHold[]>("holds")) ?? [];
      await Promise.all(holds.map((h) => stockOfHold(this.env, h.flashSaleId, h.holdId).uncommit(h.holdId, orderId)));
      return;
    }
    // Its payment is processing: look again later (a failure then cancels it; a success has made it paid).
    if (result.status === "pending_payment") await this.ctx.storage.setAlarm(Date.now() + RECHECK_MS);
  }
}
