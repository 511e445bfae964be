// Route declarations as the docs name them (`route("POST /{id}/skus", …)`) and the shapes most resources share:
// retrieve, create, reminders, actions, and a resource's or a child collection's routes declared as one table.
import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { checkFirst, requirePerson } from "../principal.ts";
import { created, jsonBody, noContent, ok } from "./responses.ts";
import { idParam, pageOf } from "./schemas.ts";

type Verb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call a route (`merchantScope("orders:write")`, `checkFirst(requireCreator)`): it runs before the route's
 * path, query and body are validated, so a caller the route refuses gets its 401 or 403 whatever it sent
 * (docs/api/conventions.md#who-is-calling).
 */
export type Caller = MiddlewareHandler;
type Declared = Omit<RouteConfig, "method" | "path" | "summary" | "middleware"> & { caller?: Caller };

/**
 * A route declared as the docs name it, `route("POST /{id}/skus", "Add a SKU to a product", { caller, description,
 * request, responses })`: createRoute with the method and path read from the first words.
 */
export function route<V extends Verb, P extends string, R extends Declared>(at: `${V} ${P}`, summary: string, spec: R) {
  const space = at.indexOf(" ");
  const method = at.slice(0, space).toLowerCase() as Lowercase<V>;
  const path = at.slice(space + 1) as P;
  const { caller, ...rest } = spec;
  return createRoute({ method, path, summary, ...rest, ...(caller ? { middleware: caller } : {}) });
}

/** A route of one of the shapes below: its `request` and `responses`, and its `description` and `caller` if any. */
function shapedRoute<
  V extends Verb,
  P extends string,
  Q extends RouteConfig["request"],
  R extends RouteConfig["responses"],
>(at: `${V} ${P}`, summary: string, request: Q, responses: R, { description, caller }: Told) {
  return route(at, summary, { ...(description === undefined ? {} : { description }), request, responses, caller });
}

/** What a shaped route may be told besides its shape: who may call it, and what the docs say of it. */
type Told = { description?: string; caller?: Caller };

/**
 * `GET /{id}` for one resource of a kind: the id checked by its `prefix`, answering `responses`
 * (`ok(OrderSchema, "The order", 400, 401, 403, 404)`); `description` says who may read it, `caller` checks it.
 */
export function retrieveRoute<R extends RouteConfig["responses"]>(
  prefix: string,
  summary: string,
  responses: R,
  told: Told = {},
) {
  return shapedRoute("GET /{id}", summary, { params: idParam(prefix) }, responses, told);
}

/**
 * `POST /` that creates one resource from the JSON body `input`, answering `responses`
 * (`created(CouponSchema, "The coupon", 400, 401, 422)`); `description` says who may and what it takes, `caller`
 * checks who may.
 */
export function createResourceRoute<I extends z.ZodType, R extends RouteConfig["responses"]>(
  summary: string,
  input: I,
  responses: R,
  told: Told = {},
) {
  return shapedRoute("POST /", summary, { body: jsonBody(input) }, responses, told);
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
      middleware: checkFirst(requirePerson),
    });
  return {
    put: declare("put", summary, description),
    delete: declare("delete", "Cancel my reminder", "A signed-in shopper or creator. Idempotent."),
  };
}

/**
 * The `POST /{id}/<action>` routes of one kind of resource (an order's `cancel`, a sample request's `ship`): each takes
 * the id checked by its `prefix`, maybe a body (`request`), and answers the same `responses`, the resource after it.
 * `caller` checks who may, before the id and body are read.
 */
export function actionRoutes<R extends RouteConfig["responses"]>(prefix: string, responses: R, caller?: Caller) {
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
      caller,
    });
}

/**
 * The `POST` of `resourceRoutes` or `childRoutes`: what it takes (`input`; `optional`: the body may be left out), who
 * may and what it does, its problems besides 201, and how the 201 is described (`answer`) when not as `what`.
 */
type CreateSpec = {
  caller?: Caller;
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
type ListSpec = { caller?: Caller; summary: string; description: string; query: Query; page: string; name?: string };
type Query = NonNullable<NonNullable<RouteConfig["request"]>["query"]>;
/** The `GET /{id}` of `resourceRoutes`: its summary, who may read it, its problems (a public one's: 400, 404). */
type RetrieveSpec = { caller?: Caller; summary: string; description?: string; problems?: number[] };
/** The `PATCH /{id}` of `resourceRoutes`: what it takes (`input`), who may and what it does, its problems besides 200. */
type UpdateSpec = Pick<CreateSpec, "caller" | "summary" | "input" | "problems" | "description">;
/** One action of `resourceRoutes`: its summary, who may and what it does, and its JSON body if it takes one. */
type ActionSpec = { caller?: Caller; summary: string; description: string; body?: z.ZodType };

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
      caller: u.caller,
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
      retrieve,
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
      caller: c.caller,
      description: c.description,
      request: { ...parent, body: jsonBody(c.input as NonNullable<C>["input"], !c.optional) },
      responses: created(schema, c.answer ?? what, ...c.problems),
    });
  const listRoute = (l: ListSpec) =>
    route(`GET ${path}`, l.summary, {
      caller: l.caller,
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
  const routeOf = <A extends keyof T & string>(action: A) => {
    const { caller, summary, description, body } = table[action] as T[A];
    return actionRoutes(prefix, responses, caller)(
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
