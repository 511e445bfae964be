// Public reads cached at the edge with the Cache API. Only responses a backend marked `Cache-Control: public`
// are stored, only for callers without a personal identity (storefronts and anonymous readers see the same
// public data), keyed by the normalised URL. Writes invalidate: a backend names the stale paths in PURGE_HEADER
// and the gateway deletes them here. Lists are not purged by path; their short max-age bounds their staleness.
import { holdsEtag } from "#shared/etag.ts";
import { PURGE_HEADER } from "#shared/http.ts";
import type { Principal } from "#shared/principal.ts";

const CACHE_STATUS_HEADER = "x-cache";

function cacheKey(url: URL): Request {
  const normalised = new URL(url.pathname, url.origin);
  const params = [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));
  for (const [k, v] of params) normalised.searchParams.append(k, v);
  return new Request(normalised.toString(), { method: "GET" });
}

export function cacheable(request: Request, principal: Principal): boolean {
  return request.method === "GET" && principal.actor.type === "anonymous";
}

/**
 * A cached response for this read, marked as a hit, or undefined. The cache is asked with a bare key, so it never
 * sees the reader's If-None-Match: a reader already holding the cached ETag gets its 304 here.
 */
export async function cachedResponse(request: Request): Promise<Response | undefined> {
  const hit = await caches.default.match(cacheKey(new URL(request.url)));
  if (!hit) return undefined;
  const etag = hit.headers.get("etag");
  if (etag !== null && holdsEtag(request.headers.get("if-none-match"), etag)) {
    await hit.body?.cancel();
    const headers = new Headers({ etag, [CACHE_STATUS_HEADER]: "HIT" });
    for (const name of ["cache-control", "vary"]) {
      const value = hit.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    return new Response(null, { status: 304, headers });
  }
  const response = new Response(hit.body, hit);
  response.headers.set(CACHE_STATUS_HEADER, "HIT");
  return response;
}

/**
 * Applies a write's purges before answering (so the writer's next read is fresh), and stores a public 200 after
 * it is sent; returns the response to send.
 */
export async function storeAndPurge(
  request: Request,
  response: Response,
  ctx: { waitUntil(promise: Promise<unknown>): void },
  shouldStore: boolean,
): Promise<Response> {
  const url = new URL(request.url);
  const stale = response.headers.get(PURGE_HEADER);
  if (stale) {
    response.headers.delete(PURGE_HEADER);
    await Promise.all(stale.split(",").map((path) => caches.default.delete(cacheKey(new URL(path, url.origin)))));
  }
  if (shouldStore && response.status === 200 && /\bpublic\b/.test(response.headers.get("cache-control") ?? "")) {
    response.headers.set(CACHE_STATUS_HEADER, "MISS");
    ctx.waitUntil(caches.default.put(cacheKey(url), response.clone()));
  }
  return response;
}
