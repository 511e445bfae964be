// One RefundRecovery per refund, reached by the refund id, armed just before the refund is reserved: a refund is
// never left pending because the Worker died, timed out or lost a provider's answer between its reservation and
// that answer. Its alarm, REFUND_RECOVERY_DELAY_SECONDS later, runs sendRefund again (create-refund.ts): a part
// that never got an answer is sent with the same provider idempotency key (a provider that did get it answers with
// the same refund), a part the provider holds is asked how it stands, and the answers settle the refund through
// settleRefund like any other. Parts still pending re-arm it at twice the delay each time; after ATTEMPTS attempts
// (the last 255 × the delay after the reservation, within Stripe's 24 h key lifetime) a part no provider answered for fails,
// while one the provider holds is left to its webhook. A refund settled meanwhile makes the alarm a no-op.
// Its own object rather than a duty of the order's OrderTimeout: that one alarm runs one mode of the order at a
// time (payment deadline, commission release, pre-sale windows) on that mode's timetable, while an order may have
// several refunds pending at once, each with its own schedule and attempt count.
import { DurableObject } from "cloudflare:workers";
import { database } from "../../../shared/db.ts";
import { refundRecoveryDelaySeconds } from "./config.ts";
import { sendRefund } from "./create-refund.ts";

export const ATTEMPTS = 8;

export class RefundRecovery extends DurableObject<Env> {
  /** Arms the first attempt for `refundId` (idempotent: an armed alarm stays as it is). */
  async arm(refundId: string): Promise<void> {
    await this.ctx.storage.put("refundId", refundId);
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + refundRecoveryDelaySeconds(this.env) * 1000);
    }
  }

  override async alarm(): Promise<void> {
    const refundId = await this.ctx.storage.get<string>("refundId");
    if (refundId === undefined) return;
    const attempt = ((await this.ctx.storage.get<number>("attempt")) ?? 0) + 1;
    const pending = await sendRefund(this.env, database(this.env), refundId, attempt >= ATTEMPTS);
    if (!pending || attempt >= ATTEMPTS) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.ctx.storage.put("attempt", attempt);
    await this.ctx.storage.setAlarm(Date.now() + refundRecoveryDelaySeconds(this.env) * 1000 * 2 ** attempt);
  }
}
