// One OrderTimeout per order, reached by the order id: its alarm, at the order's payment deadline, cancels the
// order if it is still unpaid (cancelOrder is conditional and idempotent, so a late or repeated alarm is harmless).
// Once the order is paid with creator commissions, the same alarm releases them when they become payable
// (releaseCommissions: commission.payable, once per line).
// Checkout arms it before committing the order's flash-sale holds and names them: if the order was never written
// (the checkout died or lost its answer after committing them), the alarm finds no order and gives them back.
// A pre-sale order's object is armed in its pre-sale mode: its alarm then takes the order through its deposit
// deadline and balance window (presales/advance-presale-order.ts), re-arming itself for the next step.
import { DurableObject } from "cloudflare:workers";
import { database } from "../../../shared/db.ts";
import { cancelOrder } from "./cancel-order.ts";
import { releaseCommissions } from "./commissions/release-commissions.ts";
import { advancePresaleOrder } from "./presales/advance-presale-order.ts";

const RECHECK_MS = 15 * 60_000;

/** A flash-sale hold an order's checkout commits. */
export interface OrderHold {
  flashSaleId: string;
  holdId: string;
}

export class OrderTimeout extends DurableObject<Env> {
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
      await Promise.all(
        holds.map((h) => this.env.FLASH_SALE_STOCK.getByName(h.flashSaleId).uncommit(h.holdId, orderId)),
      );
      return;
    }
    // Its payment is processing: look again later (a failure then cancels it; a success has made it paid).
    if (result.status === "pending_payment") await this.ctx.storage.setAlarm(Date.now() + RECHECK_MS);
  }
}
