// Reading rows that raw SQL returns (`db.$client.execute`), where every value is `unknown` to TypeScript: the one
// row a statement reads or a 404, and a column that may be null. Drizzle's queries type their rows themselves.
import type { InStatement, Row } from "@libsql/client/web";
import type { Database } from "./db.ts";
import { ProblemError } from "./errors.ts";

/** The one row `statement` reads, as `to` makes it, or 404 `not_found` (`<what> does not exist.`). */
export async function readOne<T>(db: Database, statement: InStatement, what: string, to: (row: Row) => T): Promise<T> {
  const { rows } = await db.$client.execute(statement);
  const row = rows[0];
  if (!row) throw new ProblemError("not_found", `${what} does not exist.`);
  return to(row);
}

/** A text column that may be null (or absent from the row). */
export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
