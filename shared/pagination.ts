// Cursor pagination (docs/api/conventions.md#lists-and-cursors): `limit` 1..100, default 20; cursors are opaque to clients.
import { z } from "@hono/zod-openapi";
import { ProblemError } from "./errors.ts";

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Items per page, at most 100." }),
  cursor: z.string().max(200).optional().openapi({ description: "The `nextCursor` of the previous page." }),
});

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

// Newest first: a cursor carries the last id seen, since ids sort by creation.
export function encodeCursor(lastId: string): string {
  return btoa(JSON.stringify({ after: lastId }))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const json: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (json && typeof json === "object" && "after" in json && typeof json.after === "string") return json.after;
  } catch {
    // fall through to the validation error
  }
  throw new ProblemError("validation_failed", "The cursor is not one this API returned.", {
    errors: [{ path: "/cursor", message: "unknown cursor" }],
  });
}

/** Cuts a page fetched with `limit + 1` rows into the page and its next cursor. */
export function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
