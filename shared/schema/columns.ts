// Column builders the tables share, so a column that means the same thing is declared the same way everywhere.
// Times are RFC 3339 UTC text (sortable, what the API returns); money is integer minor units beside its currency.
import { sql } from "drizzle-orm";
import { text } from "drizzle-orm/sqlite-core";

/** A time the database fills in when the row is written: now, in the API's format. */
export const timestamp = (name: string) => text(name).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
