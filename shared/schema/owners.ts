// What ties a row to the merchant that owns it: its identity columns, and the index its merchant's list pages through.
// Apart from columns.ts, which names no table, so that identity-and-keys.ts (merchants) can use columns.ts without an
// import cycle; like columns.ts, not exported by index.ts.
import { type AnySQLiteColumn, index, text } from "drizzle-orm/sqlite-core";
import { requiredRef } from "./columns.ts";
import { merchants } from "./identity-and-keys.ts";

/** The identity of a row a merchant owns: its id and its merchant (to any other merchant the row does not exist). */
export const merchantOwned = () => ({
  id: text("id").primaryKey(),
  merchantId: requiredRef("merchant_id", () => merchants.id),
});

/** The index a merchant's list of its rows (of a table with `merchant_id`) pages through: by id, the cursor's order. */
export const merchantListIndex = (table: string, t: { merchantId: AnySQLiteColumn; id: AnySQLiteColumn }) =>
  index(`${table}_merchant`).on(t.merchantId, t.id);
