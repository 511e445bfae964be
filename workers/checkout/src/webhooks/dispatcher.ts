// One WebhookDispatcher per webhook endpoint: the only sender to it, so its messages go out in recorded order. The
// outbox (webhook_deliveries in libSQL) is the state; its alarm runs a delivery pass (deliver.ts), set again only
// for a retry that is due later: idle, it sleeps and costs nothing. Writers in any Worker kick it after committing
// (catalog and live through their binding to this class); the minute's sweep (sweep.ts) kicks it if a kick was lost.
// Design: docs/design/webhooks.md#the-dispatcher
import { DurableObject } from "cloudflare:workers";
import { deliverDue } from "./deliver.ts";

export class WebhookDispatcher extends DurableObject<Env> {
  private pass: Promise<void> = Promise.resolve();
  /** Kicks so far: one arriving during a pass may concern a delivery that pass's last read did not see. */
  private kicks = 0;

  /** Something may be due for `endpointId`: run a pass now (idempotent). */
  async kick(endpointId: string): Promise<void> {
    this.ctx.storage.kv.put("endpointId", endpointId);
    this.kicks++;
    const current = await this.ctx.storage.getAlarm();
    const now = Date.now();
    if (current === null || current > now) await this.ctx.storage.setAlarm(now);
  }

  override alarm(): Promise<void> {
    // One pass at a time, even when a test runs the alarm beside the scheduled one.
    const pass = this.pass.then(() => this.runPass());
    this.pass = pass.catch(() => undefined);
    return pass;
  }

  private async runPass(): Promise<void> {
    const endpointId = this.ctx.storage.kv.get<string>("endpointId");
    if (endpointId === undefined) return;
    const kicks = this.kicks;
    const next = await deliverDue(this.env, endpointId);
    if (this.kicks !== kicks) await this.ctx.storage.setAlarm(Date.now());
    else if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}
