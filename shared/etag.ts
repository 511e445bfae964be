// ETags from a resource's id and version (bumped on every change), If-Match for optimistic concurrency,
// If-None-Match for cheap revalidation of public reads (docs/api/conventions.md#etags-and-if-match).
import type { Context } from "hono";
import { ProblemError } from "./errors.ts";

export function etagOf(resource: { id: string; version: number }): string {
  return `"${resource.id}.v${resource.version}"`;
}

/** 412 when the client's If-Match (the header's value) names another version; absent means "whatever is current". */
export function checkIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(",").map((t) => t.trim());
  if (candidates.includes("*") || candidates.includes(current)) return;
  throw new ProblemError(
    "precondition_failed",
    `The resource has changed since you read it (now ${current}); read it again and retry.`,
    {
      errors: [{ path: "/headers/if-match", message: `does not match ${current}` }],
    },
  );
}

/** True when the client already holds this version (answer 304). */
export function notModified(c: Context, current: string): boolean {
  return holdsEtag(c.req.header("if-none-match") ?? null, current);
}

/** True when an If-None-Match value (null: absent) names `current` (weakly) or is `*`. */
export function holdsEtag(ifNoneMatch: string | null, current: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === current || tag === `W/${current}`;
  });
}
