// One RefundRecovery per refund, reached by the refund id and armed just before the refund is reserved, so a refund
// is never left pending by a Worker that died or lost a provider's answer. Its alarm runs sendRefund again (same
// provider idempotency keys; parts the provider holds are read back), re-arming at twice the delay, ATTEMPTS times.
// Its own object, not the order's OrderDeadlines: an order may have several refunds, each with its own schedule.
// Design: docs/design/refund-recovery.md#a-refund-is-never-left-pending
import { DurableObject } from "cloudflare:workers";
import { database } from "#shared/db.ts";
import { refundRecoveryDelaySeconds } from "../config.ts";
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
