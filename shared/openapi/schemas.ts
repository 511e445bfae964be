// The schemas that appear in more than one Worker's routes: money, the problem, a resource's first fields, ids
// checked by prefix, sets, calendar days and pages.
import { z } from "@hono/zod-openapi";
import { currencies } from "../money.ts";

export const MoneySchema = z
  .object({
    amount: z.number().int().openapi({ example: 19900, description: "Integer minor units (fen for CNY)." }),
    currency: z.enum(currencies).openapi({ example: "CNY" }),
  })
  .openapi("Money");

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/**
 * A resource's first two fields, spread into its object schema: `{ ...resourceFields("hold", "hold"), … }`. Its `id`
 * (with an example when the id prefix is given) and its `object`, the name of its kind.
 */
export function resourceFields<O extends string>(object: O, prefix?: string) {
  return {
    id: prefix ? z.string().openapi({ example: `${prefix}_01JDEMO0000000000000000000` }) : z.string(),
    object: z.literal(object),
  };
}

/** Text a person writes (a name, a title, a reason): trimmed, then 1 to `max` characters. */
export function requiredText(max: number) {
  return z.string().trim().min(1).max(max);
}

/** An id of one kind, checked by its prefix: `idOf("hold")` takes `hold_01J…`, anything else is 400. */
export function idOf(prefix: string) {
  return z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`), `must be an id starting with ${prefix}_`);
}

/** A path parameter `name` that is an id of one kind, with an example: `{ merchantId: idPathParam("mer", "merchantId") }`. */
export function idPathParam(prefix: string, name: string) {
  return idOf(prefix).openapi({ param: { name, in: "path" }, example: `${prefix}_01JDEMO0000000000000000000` });
}

/** The path parameters `{id}` of one resource of a kind, checked by its prefix. */
export function idParam(prefix: string) {
  return z.object({ id: idPathParam(prefix, "id") });
}

/**
 * A set sent as an array (ids, scopes, tags): each item at most once. A repeat is 400 at its own index
 * (`/couponIds/1`, "duplicate value: the same as item 0"), never stored twice nor silently merged. `keyOf` names
 * what makes two items the same (an object's `position`, say); by default the item itself.
 */
export function distinct<T>(keyOf: (item: T) => unknown = (item) => item) {
  return (items: T[], ctx: z.RefinementCtx<T[]>) => {
    const seen = new Map<unknown, number>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else ctx.addIssue({ code: "custom", path: [index], message: `duplicate value: the same as item ${first}` });
    });
  };
}

/** An array of `item`s that is a set: `distinct` items, declared `uniqueItems` in the OpenAPI document. */
export function setOf<S extends z.ZodType>(item: S) {
  return z.array(item).superRefine(distinct<z.output<S>>()).openapi({ uniqueItems: true });
}

/** A UTC day `YYYY-MM-DD` that is on the calendar: `2026-02-30` or `6718-62-32` is 400, never a date sum gone NaN. */
export const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD", abort: true })
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, "must be a real calendar date")
  .openapi({ format: "date" });

/** One page of a cursor-paginated list: `data`, and `nextCursor` (null on the last page). */
export function pageOf<S extends z.ZodType>(schema: S) {
  return z.object({ data: z.array(schema), nextCursor: z.string().nullable() });
}

/** A list short enough to answer whole (an operator's settings): one page's shape, with `nextCursor` always null. */
export function wholeListOf<S extends z.ZodType>(schema: S) {
  return z.object({ data: z.array(schema), nextCursor: z.null() });
}
