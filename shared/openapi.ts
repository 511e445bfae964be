// Schemas that appear in more than one Worker's routes.
import { createRoute, z } from "@hono/zod-openapi";
import { currencies } from "./money.ts";

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

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: "A problem", content: { "application/problem+json": { schema: ProblemSchema } } },
    ]),
  );
}

export function idParam(prefix: string) {
  return z.object({
    id: z
      .string()
      .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`), `must be an id starting with ${prefix}_`)
      .openapi({ param: { name: "id", in: "path" }, example: `${prefix}_01JDEMO0000000000000000000` }),
  });
}

/** `GET /{id}` for one resource of a kind: the id checked by its prefix, the resource, or a 400/404 problem. */
export function retrieveRoute<S extends z.ZodType>(options: {
  prefix: string;
  schema: S;
  summary: string;
  name: string;
}) {
  return createRoute({
    method: "get",
    path: "/{id}",
    summary: options.summary,
    request: { params: idParam(options.prefix) },
    responses: {
      200: { description: `The ${options.name}`, content: { "application/json": { schema: options.schema } } },
      ...problemResponses(400, 404),
    },
  });
}

/** A JSON response (or body) declaration for createRoute: `200: jsonContent(Schema, "The thing")`. */
export function jsonContent<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body for createRoute: `body: jsonBody(Schema)`, or `jsonBody(Schema, false)` when it may be left out. */
export function jsonBody<S extends z.ZodType>(schema: S, required = true) {
  return { required, content: { "application/json": { schema } } };
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

/** One page of a cursor-paginated list: `data`, and `nextCursor` (null on the last page). */
export function pageOf<S extends z.ZodType>(schema: S) {
  return z.object({ data: z.array(schema), nextCursor: z.string().nullable() });
}
