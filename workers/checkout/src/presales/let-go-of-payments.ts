// letGoOfOpenPayments: an order that will take no more money (cancelled, forfeited) tells its provider to close
// the payments it never confirmed, so none of them can still be charged. cancelPayment never throws.
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { log } from "#shared/log.ts";
import { payments } from "#shared/schema.ts";
import { paymentProviders } from "../config.ts";
import { modeOfRow, paymentProvider } from "../payments/providers.ts";

export async function letGoOfOpenPayments(env: Env, db: Database, orderId: string): Promise<void> {
  const open = await db
    .select({ provider: payments.provider, reference: payments.providerReference, livemode: payments.livemode })
    .from(payments)
    .where(and(eq(payments.orderId, orderId), inArray(payments.status, ["requires_payment", "failed"])));
  for (const payment of open) {
    const name = paymentProviders.find((p) => p === payment.provider);
    if (!name) continue;
    try {
      await paymentProvider(env, name, modeOfRow(payment)).cancelPayment(payment.reference);
    } catch (err) {
      // Only a provider disabled since: nothing here can reach it.
      log("warn", "open payment not let go", { orderId, provider: name, error: String(err) });
    }
  }
}
