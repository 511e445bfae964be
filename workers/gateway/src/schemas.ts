// Field schemas the gateway's routes share.

import { z } from "@hono/zod-openapi";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { apiKeys } from "#shared/schema.ts";

export const handleSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_]{1,38}[a-z0-9]$/, "3 to 40 lowercase letters, digits or underscores")
  .openapi({ example: "perfectdiary" });

export const OriginSchema = z
  .string()
  .regex(/^https?:\/\/[^/\s?#]+$/, "an origin: scheme://host[:port], no path")
  .openapi({ example: "https://shop.example.com" });

/**
 * Onboards an account (a merchant, a creator): `account`, its insert returning the row, and its first `keys` in one
 * batch. A taken handle is a 409 naming the field, and nothing is written.
 */
export async function insertWithKeys<R>(
  db: Database,
  handle: string,
  account: RunnableQuery<R[], "sqlite">,
  keys: (typeof apiKeys.$inferInsert)[],
): Promise<R> {
  try {
    const [rows] = await db.batch([account, db.insert(apiKeys).values(keys)]);
    const row = rows[0];
    if (!row) throw new Error(`the insert of ${handle} returned no row`);
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ProblemError("conflict", `The handle ${handle} is taken.`, {
        errors: [{ path: "/handle", message: "taken" }],
      });
    }
    throw err;
  }
}

/** A libSQL UNIQUE constraint failure (a handle or issuer already taken). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
