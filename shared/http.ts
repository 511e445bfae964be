// What every Worker's Hono app shares: request ids, JSON access logs, problem+json errors, validation that throws.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { type FieldError, type ProblemCode, ProblemError, problemBody, problemResponse } from "./errors.ts";
import { newId } from "./ids.ts";
import { log } from "./log.ts";

declare module "hono" {
  interface ContextVariableMap {
    requestId: string;
  }
}

export const REQUEST_ID_HEADER = "x-request-id";
// A backend names the public paths its write made stale; the gateway drops them from the edge cache and strips
// the header before the response leaves.
export const PURGE_HEADER = "x-zhongcao-purge";

/** Marks public reads of these paths stale at the edge (see the gateway's edge cache). */
export function purge(c: Context, ...paths: string[]): void {
  c.header(PURGE_HEADER, paths.join(","));
}

/**
 * Middleware for a router whose every answer is one caller's own (what the operator manages, a person's follows):
 * the gateway caches only `public` answers, and a browser or proxy must not keep these either.
 */
export const privateCache: MiddlewareHandler = async function privateCache(c, next) {
  await next();
  c.header("cache-control", "private, no-store");
};
// A request id handed in by the gateway (or a client) is kept only if it looks like one of ours or a UUID.
const acceptableRequestId = /^[A-Za-z0-9_-]{8,64}$/;

/** Names the request (reusing an incoming id), stamps it on the response, and logs one line when done. */
export function requestContext(service: string): MiddlewareHandler {
  return async function requestContextMiddleware(c, next) {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId = incoming && acceptableRequestId.test(incoming) ? incoming : newId("req");
    c.set("requestId", requestId);
    const started = performance.now();
    await next();
    // A WebSocket upgrade's headers are immutable; everything else carries the id.
    if (c.res.status !== 101) c.res.headers.set(REQUEST_ID_HEADER, requestId);
    log("info", "request", {
      service,
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

function requestIdOf(c: Context): string {
  return c.get("requestId") ?? newId("req");
}

export function problem(
  c: Context,
  code: ProblemCode,
  detail: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
): Response {
  return problemResponse(problemBody(code, detail, requestIdOf(c), errors), headers);
}

const httpStatusCodes: Partial<Record<number, ProblemCode>> = {
  400: "validation_failed",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/** The single place errors become HTTP: known problems as they are, anything else as `internal` with nothing leaked. */
export function onError(service: string) {
  return function handleError(err: Error, c: Context): Response {
    if (err instanceof ProblemError) return problem(c, err.code, err.message, err.errors, err.headers);
    if (err instanceof HTTPException) {
      // Hono's own refusals of a body, before any schema sees it: say what to send, and where the fault is.
      if (err.status === 415) {
        return problem(
          c,
          "unsupported_media_type",
          "The body must be JSON: send it with Content-Type: application/json.",
          [{ path: "/headers/content-type", message: "must be application/json" }],
        );
      }
      if (err.status === 400 && err.message === "Malformed JSON in request body") {
        return problem(c, "validation_failed", "The body is not valid JSON.", [
          { path: "", message: "malformed JSON" },
        ]);
      }
      const code = httpStatusCodes[err.status];
      if (code) return problem(c, code, err.message || `${err.status}`);
    }
    if (isDatabaseBusy(err)) {
      // A write that waited too long for the database's lock did nothing (its transaction rolled back): safe to retry.
      log("warn", "database busy", { service, requestId: requestIdOf(c), error: err.message });
      return problem(c, "service_unavailable", "The database is busy; nothing was changed. Retry shortly.", undefined, {
        "retry-after": "1",
      });
    }
    log("error", "unhandled error", { service, requestId: requestIdOf(c), error: err.message, stack: err.stack });
    return problem(c, "internal", "Something went wrong on our side. Quote the request id if you contact support.");
  };
}

/** SQLITE_BUSY from libSQL (Turso or the local server), itself or as the cause of a query error that wraps it. */
function isDatabaseBusy(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === "SQLITE_BUSY" || /\bSQLITE_BUSY\b/.test(e.message)) return true;
  }
  return false;
}

export function notFound(c: Context): Response {
  return problem(c, "not_found", `No route for ${c.req.method} ${c.req.path}.`);
}

const pointer = (path: readonly PropertyKey[]) =>
  path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/** Zod issues as JSON pointers to the fields at fault; an unknown field is named itself. */
export function zodFieldErrors(error: ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: pointer([...issue.path, key]), message: "unknown field" }))
      : [{ path: pointer(issue.path), message: issue.message }],
  );
}

/** A router whose routes are declared with zod schemas (feeding the OpenAPI document); invalid input throws a problem. */
export function createRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ProblemError("validation_failed", "The request has fields that are missing or invalid.", {
          errors: zodFieldErrors(result.error),
        });
      }
    },
  });
}

/** A Worker's top-level app: a router plus request ids, access logs and the one error mapping. */
export function createApp<E extends Env>(service: string): OpenAPIHono<E> {
  const app = createRouter<E>();
  app.use(requestContext(service));
  app.onError(onError(service));
  app.notFound(notFound);
  return app;
}
