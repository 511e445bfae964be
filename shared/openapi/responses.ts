// The `request.body` and `responses` of a route declaration: a JSON body, and each status with its schema, the
// problems (application/problem+json) included.
import type { z } from "@hono/zod-openapi";
import { ProblemSchema } from "./schemas.ts";

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: "A problem", content: { "application/problem+json": { schema: ProblemSchema } } },
    ]),
  );
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

/** A JSON response (or body) declaration for createRoute: `200: jsonContent(Schema, "The thing")`. */
export function jsonContent<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body for createRoute: `body: jsonBody(Schema)`, or `jsonBody(Schema, false)` when it may be left out. */
export function jsonBody<S extends z.ZodType>(schema: S, required = true) {
  return { required, content: { "application/json": { schema } } };
}
