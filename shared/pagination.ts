// Cursor pagination (docs/api/conventions.md#lists-and-cursors): `limit` 1..100, default 20; cursors are opaque to clients.
import { z } from "@hono/zod-openapi";
import { and, desc, lt, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteSelect } from "drizzle-orm/sqlite-core";
import { ProblemError } from "./errors.ts";

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Items per page, at most 100." }),
  cursor: z.string().max(200).optional().openapi({ description: "The `nextCursor` of the previous page." }),
});

/** What a list function is asked for: at most `limit` items, after the page `cursor` ended (none: the first page). */
export interface PageRequest {
  limit: number;
  cursor: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** A cursor holding a JSON value (the last keys a keyset page ended on): its UTF-8 JSON in base64url, unpadded. */
export function encodeJsonCursor(value: unknown): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replaceAll("=", "")
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

/**
 * The value of a cursor encodeJsonCursor made, as `read` takes it from the parsed object (undefined: not one of
 * ours). Anything else is 400 `validation_failed` at /cursor, with `detail` as the problem's detail.
 */
export function decodeJsonCursor<T>(
  cursor: string,
  read: (json: Record<string, unknown>) => T | undefined,
  detail = "The cursor is not one this API returned.",
): T {
  try {
    const bytes = Uint8Array.from(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const value = json && typeof json === "object" ? read(json as Record<string, unknown>) : undefined;
    if (value !== undefined) return value;
  } catch {
    // not base64 or not JSON: the same answer as a cursor of another shape
  }
  throw new ProblemError("validation_failed", detail, { errors: [{ path: "/cursor", message: "unknown cursor" }] });
}

// Newest first: a cursor carries the last id seen, since ids sort by creation.
export function encodeCursor(lastId: string): string {
  return encodeJsonCursor({ after: lastId });
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  return decodeJsonCursor(cursor, (json) => (typeof json.after === "string" ? json.after : undefined));
}

/** Cuts a page fetched with `limit + 1` rows into the page and its next cursor. */
export function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/**
 * One newest-first page of a table's rows that match `filters` (undefined ones are left out): those with an `id`
 * before the cursor's, fetched `limit + 1` to tell whether another page follows. `query` is the select made dynamic,
 * `db.select().from(orders).$dynamic()`; `limit` and `cursor` are the route's validated `pageQuery`.
 */
export async function newestPage<Q extends SQLiteSelect & { _: { result: { id: string }[] } }>(
  query: Q,
  id: SQLiteColumn,
  request: { limit: number; cursor?: string | undefined },
  ...filters: (SQL | undefined)[]
): Promise<Page<Q["_"]["result"][number]>> {
  const rows = await newestQuery(query, id, request, ...filters);
  // A dynamic select awaits to its result rows; drizzle's types say only Awaited<Q>.
  return page(rows as Q["_"]["result"], request.limit);
}

/** newestPage's select, not yet run: for a `db.batch` that reads the page beside other statements; cut it with `page`. */
export function newestQuery<Q extends SQLiteSelect>(
  query: Q,
  id: SQLiteColumn,
  { limit, cursor }: { limit: number; cursor?: string | undefined },
  ...filters: (SQL | undefined)[]
) {
  const after = decodeCursor(cursor);
  return query
    .where(and(...filters, after ? lt(id, after) : undefined))
    .orderBy(desc(id))
    .limit(limit + 1);
}

/**
 * newestPage for a list in raw SQL: its last condition and its order, rows of `query.status` (if given) after the
 * cursor's id, newest first, one page; with the arguments it binds (`:status`, `:after`, `:limit`).
 */
export const statusPage = (
  alias: string,
  query: { status?: string | undefined; after?: string | undefined; limit: number },
) => ({
  sql: `(:status IS NULL OR ${alias}.status = :status) AND (:after IS NULL OR ${alias}.id < :after)
    ORDER BY ${alias}.id DESC LIMIT :limit`,
  args: { status: query.status ?? null, after: query.after ?? null, limit: query.limit },
});
