// return.requested, return.approved and return.rejected for the merchant's webhooks: statements for the writer's own
// batch, recorded only if the return row shows, after the batch's change, that the change happened (`when`).
import type { InStatement } from "@libsql/client/web";
import { type SQL, sql } from "drizzle-orm";
import { orderLivemode, rawStatements, webhookEvent } from "#shared/webhook-events.ts";
import type { Return } from "./return.ts";

export function returnEvent(
  type: "return.requested" | "return.approved" | "return.rejected",
  data: Return,
  when: SQL,
  at: Date,
): InStatement[] {
  return rawStatements(
    webhookEvent({
      type,
      at,
      source: sql`SELECT ${JSON.stringify(data)} AS data, NULL AS sequence
        WHERE EXISTS (SELECT 1 FROM returns r WHERE r.id = ${data.id} AND (${when}))`,
      merchants: sql`SELECT ${data.merchantId} AS merchant_id`,
      livemode: orderLivemode(data.orderId),
    }),
  );
}
