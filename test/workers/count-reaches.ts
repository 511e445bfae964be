// For rows a Worker writes after its response (logs, learnt signals): a test waits for them to land.
import type { Client, InArgs } from "@libsql/client/web";
import { expect } from "vitest";

/** Waits (polling, bounded) until the first row's `n` of `sql` equals `expected`. */
export async function countReaches(client: Client, sql: string, args: InArgs, expected: number, timeout = 10_000) {
  await expect
    .poll(async () => Number((await client.execute({ sql, args })).rows[0]?.n), { timeout, interval: 50 })
    .toBe(expected);
}
