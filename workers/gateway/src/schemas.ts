// Field schemas the gateway's routes share.

import { z } from "@hono/zod-openapi";
import { ProblemError } from "#shared/errors.ts";

export const handleSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_]{1,38}[a-z0-9]$/, "3 to 40 lowercase letters, digits or underscores")
  .openapi({ example: "perfectdiary" });

export const OriginSchema = z
  .string()
  .regex(/^https?:\/\/[^/\s?#]+$/, "an origin: scheme://host[:port], no path")
  .openapi({ example: "https://shop.example.com" });

/** A libSQL UNIQUE constraint failure (a handle or issuer already taken). */
/** Runs an insert of a record with a unique handle; a taken handle is a 409 naming the field. */
export async function withUniqueHandle<T>(handle: string, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ProblemError("conflict", `The handle ${handle} is taken.`, {
        errors: [{ path: "/handle", message: "taken" }],
      });
    }
    throw err;
  }
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
