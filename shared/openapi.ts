// Schemas that appear in more than one Worker's routes.
import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
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

type Verb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A route declared as the docs name it, `route("POST /{id}/skus", "Add a SKU to a product", { description, request,
 * responses })`: createRoute with the method and path read from the first words.
 */
export function route<V extends Verb, P extends string, R extends Omit<RouteConfig, "method" | "path" | "summary">>(
  at: `${V} ${P}`,
  summary: string,
  rest: R,
) {
  const space = at.indexOf(" ");
  const method = at.slice(0, space).toLowerCase() as Lowercase<V>;
  const path = at.slice(space + 1) as P;
  return createRoute({ method, path, summary, ...rest });
}

/** A route of one of the shapes below: its `request` and `responses`, and a `description` when it has one. */
function shapedRoute<
  V extends Verb,
  P extends string,
  Q extends RouteConfig["request"],
  R extends RouteConfig["responses"],
>(at: `${V} ${P}`, summary: string, request: Q, responses: R, description: string | undefined) {
  return route(at, summary, { ...(description === undefined ? {} : { description }), request, responses });
}

/**
 * `GET /{id}` for one resource of a kind: the id checked by its `prefix`, answering `responses`
 * (`ok(OrderSchema, "The order", 400, 401, 403, 404)`); `description` says who may read it.
 */
export function retrieveRoute<R extends RouteConfig["responses"]>(
  prefix: string,
  summary: string,
  responses: R,
  description?: string,
) {
  return shapedRoute("GET /{id}", summary, { params: idParam(prefix) }, responses, description);
}

/**
 * `POST /` that creates one resource from the JSON body `input`, answering `responses`
 * (`created(CouponSchema, "The coupon", 400, 401, 422)`); `description` says who may and what it takes.
 */
export function createResourceRoute<I extends z.ZodType, R extends RouteConfig["responses"]>(
  summary: string,
  input: I,
  responses: R,
  description?: string,
) {
  return shapedRoute("POST /", summary, { body: jsonBody(input) }, responses, description);
}

/**
 * `PUT` and `DELETE /{id}/reminder` of a thing that starts later (a flash sale, a live session): a signed-in person
 * asks to be told when it starts (`summary`, `description`), or stops asking. 204, idempotent.
 */
export function reminderRoutes(prefix: string, summary: string, description: string) {
  const declare = (method: "put" | "delete", summary: string, description: string) =>
    createRoute({
      method,
      path: "/{id}/reminder",
      summary,
      description,
      request: { params: idParam(prefix) },
      responses: noContent("Done", 400, 401, 404, 409),
    });
  return {
    put: declare("put", summary, description),
    delete: declare("delete", "Cancel my reminder", "A signed-in shopper or creator. Idempotent."),
  };
}

/** `responses` of a read or change that answers 200 with one JSON body, or one of the `problems`. */
export function ok<S extends z.ZodType>(schema: S, description: string, ...problems: number[]) {
  return { 200: jsonContent(schema, description), ...problemResponses(...problems) };
}

/** `responses` of a read that answers 200 with an ETag, 304 when If-None-Match still names it, or one of the `problems`. */
export function okOrNotModified<S extends z.ZodType>(schema: S, description: string, ...problems: number[]) {
  return { ...ok(schema, description, ...problems), 304: { description: "Not modified (If-None-Match)" } };
}

/** `responses` of a write that answers 201 with what it created, or one of the `problems`. */
export function created<S extends z.ZodType>(schema: S, description: string, ...problems: number[]) {
  return { 201: jsonContent(schema, description), ...problemResponses(...problems) };
}

/** `responses` of a request queued to be done later, answering 202 with one JSON body, or one of the `problems`. */
export function accepted<S extends z.ZodType>(schema: S, description: string, ...problems: number[]) {
  return { 202: jsonContent(schema, description), ...problemResponses(...problems) };
}

/** `responses` of a change that answers 204 with no body (`description` says what was done), or one of the `problems`. */
export function noContent(description: string, ...problems: number[]) {
  return { 204: { description }, ...problemResponses(...problems) };
}

/**
 * The `POST /{id}/<action>` routes of one kind of resource (an order's `cancel`, a sample request's `ship`): each takes
 * the id checked by its `prefix`, maybe a body (`request`), and answers the same `responses`, the resource after it.
 */
export function actionRoutes<R extends RouteConfig["responses"]>(prefix: string, responses: R) {
  return <A extends string, Q extends Omit<NonNullable<RouteConfig["request"]>, "params"> = Record<never, never>>(
    action: A,
    summary: string,
    description: string,
    request?: Q,
  ) =>
    route(`POST /{id}/${action}`, summary, {
      description,
      request: { params: idParam(prefix), ...request } as { params: ReturnType<typeof idParam> } & Q,
      responses,
    });
}

/**
 * The `POST` of `resourceRoutes` or `childRoutes`: what it takes (`input`; `optional`: the body may be left out), who
 * may and what it does, its problems besides 201, and how the 201 is described (`answer`) when not as `what`.
 */
type CreateSpec = {
  summary: string;
  input: z.ZodType;
  optional?: true;
  problems: number[];
  description: string;
  answer?: string;
};
/**
 * The list `GET` of `resourceRoutes` or `childRoutes`: pages filtered by `query` (`pageQuery` and more); `page`
 * describes one, `name` names its schema.
 */
type ListSpec = { summary: string; description: string; query: Query; page: string; name?: string };
type Query = NonNullable<NonNullable<RouteConfig["request"]>["query"]>;
/** The `GET /{id}` of `resourceRoutes`: its summary, who may read it, its problems (a public one's: 400, 404). */
type RetrieveSpec = { summary: string; description?: string; problems?: number[] };
/** The `PATCH /{id}` of `resourceRoutes`: what it takes (`input`), who may and what it does, its problems besides 200. */
type UpdateSpec = Pick<CreateSpec, "summary" | "input" | "problems" | "description">;
/** One action of `resourceRoutes`: its summary, who may and what it does, and its JSON body if it takes one. */
type ActionSpec = { summary: string; description: string; body?: z.ZodType };

/**
 * The routes of one kind of resource declared as one table, each answering the resource (`schema`, described as
 * `what`): `create` its `POST /` (201), `list` its `GET /` (a page of them; 400, 401, 403), `retrieve` its `GET /{id}`
 * (by default 400, 401, 403, 404), `update` its `PATCH /{id}`, and each row of `actions` (`{ ship: { summary,
 * description, body: ShipSchema } }`) a `POST /{id}/<action>` that moves it on (also 409, when not at that step).
 */
export function resourceRoutes<
  S extends z.ZodType,
  C extends CreateSpec | undefined = undefined,
  L extends ListSpec | undefined = undefined,
  U extends UpdateSpec | undefined = undefined,
  T extends Record<string, ActionSpec> = Record<never, ActionSpec>,
>(
  prefix: string,
  schema: S,
  what: string,
  spec: { create?: C; list?: L; retrieve: RetrieveSpec; update?: U; actions?: T },
) {
  const { retrieve, update, actions } = spec;
  const updateRoute = (u: UpdateSpec) =>
    route("PATCH /{id}", u.summary, {
      description: u.description,
      request: { params: idParam(prefix), body: jsonBody(u.input as NonNullable<U>["input"]) },
      responses: ok(schema, what, ...u.problems),
    });
  return {
    ...collectionRoutes("/", {}, schema, what, [400, 401, 403], spec),
    retrieve: retrieveRoute(
      prefix,
      retrieve.summary,
      ok(schema, what, ...(retrieve.problems ?? [400, 401, 403, 404])),
      retrieve.description,
    ),
    update: (update && updateRoute(update)) as U extends UpdateSpec ? ReturnType<typeof updateRoute> : undefined,
    actions: actionRouteTable(prefix, ok(schema, what, 400, 401, 403, 404, 409), actions ?? ({} as T)),
  };
}

/**
 * The collection under each resource of a kind, `/{id}/<children>` (a brief's applications, an order's refunds),
 * declared as one table like `resourceRoutes`: `create` its `POST` (201), `list` its `GET` (a page; 400, 401, 403, 404).
 * Both take the parent's id, checked by its `prefix`, and answer a child (`schema`, described as `what`).
 */
export function childRoutes<
  N extends string,
  S extends z.ZodType,
  C extends CreateSpec | undefined = undefined,
  L extends ListSpec | undefined = undefined,
>(prefix: string, children: N, schema: S, what: string, spec: { create?: C; list?: L }) {
  const parent = { params: idParam(prefix) };
  return collectionRoutes(`/{id}/${children}`, parent, schema, what, [400, 401, 403, 404], spec);
}

/** The `create` and `list` routes of a collection at `path`, under the path parameters of `parent` if any. */
function collectionRoutes<
  P extends string,
  X extends { params?: ReturnType<typeof idParam> },
  S extends z.ZodType,
  C extends CreateSpec | undefined,
  L extends ListSpec | undefined,
>(path: P, parent: X, schema: S, what: string, listProblems: number[], spec: { create?: C; list?: L }) {
  const createRoute = (c: CreateSpec) =>
    route(`POST ${path}`, c.summary, {
      description: c.description,
      request: { ...parent, body: jsonBody(c.input as NonNullable<C>["input"], !c.optional) },
      responses: created(schema, c.answer ?? what, ...c.problems),
    });
  const listRoute = (l: ListSpec) =>
    route(`GET ${path}`, l.summary, {
      description: l.description,
      request: { ...parent, query: l.query as NonNullable<L>["query"] },
      responses: ok(l.name ? pageOf(schema).openapi(l.name) : pageOf(schema), l.page, ...listProblems),
    });
  const { create, list } = spec;
  return {
    create: (create && createRoute(create)) as C extends CreateSpec ? ReturnType<typeof createRoute> : undefined,
    list: (list && listRoute(list)) as L extends ListSpec ? ReturnType<typeof listRoute> : undefined,
  };
}

/** The `POST /{id}/<action>` routes of a table of `ActionSpec`s by action name, each as `actionRoutes` declares it. */
function actionRouteTable<R extends RouteConfig["responses"], T extends Record<string, ActionSpec>>(
  prefix: string,
  responses: R,
  table: T,
) {
  const declare = actionRoutes(prefix, responses);
  const routeOf = <A extends keyof T & string>(action: A) => {
    const { summary, description, body } = table[action] as T[A];
    return declare(
      action,
      summary,
      description,
      (body === undefined ? {} : { body: jsonBody(body) }) as T[A]["body"] extends z.ZodType
        ? { body: ReturnType<typeof jsonBody<T[A]["body"]>> }
        : Record<never, never>,
    );
  };
  return Object.fromEntries(Object.keys(table).map((action) => [action, routeOf(action)])) as {
    [A in keyof T & string]: ReturnType<typeof routeOf<A>>;
  };
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
