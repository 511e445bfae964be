// Requests to the search Worker as the search tests make them; its answers are typed by the Worker's own types.
import { exports } from "cloudflare:workers";
import type { SearchResult } from "../../../workers/search/src/search/search.ts";
import { as } from "../principals.ts";

export const operator = as({ type: "operator" });

export type { SearchHit as Hit, SearchResult as SearchBody } from "../../../workers/search/src/search/search.ts";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://search${path}`, init));
}

export async function search(params: Record<string, string | number | boolean>): Promise<SearchResult> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await call(`/v1/search?${query}`);
  if (res.status !== 200) throw new Error(`search ${query}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SearchResult;
}

export const ids = (body: SearchResult) => body.data.map((hit) => hit.id);

/** Every hit of a search, page after page (`limit` a page, at most `maxPages` pages). */
export async function allPages(
  params: Record<string, string | number | boolean>,
  limit = 2,
  maxPages = 20,
): Promise<SearchResult["data"]> {
  const seen: SearchResult["data"] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const body: SearchResult = await search({ ...params, limit, ...(cursor ? { cursor } : {}) });
    seen.push(...body.data);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return seen;
}
