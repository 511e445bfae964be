// Column groups that tie a row to its owner. Apart from columns.ts, which names no table, so that the tables it
// builds (merchants among them) can use it without an import cycle; like columns.ts, not exported by index.ts.
import { text } from "drizzle-orm/sqlite-core";
import { requiredRef } from "./columns.ts";
import { merchants } from "./identity-and-keys.ts";

/** The identity of a row a merchant owns: its id and its merchant (to any other merchant the row does not exist). */
export const merchantOwned = () => ({
  id: text("id").primaryKey(),
  merchantId: requiredRef("merchant_id", () => merchants.id),
});
