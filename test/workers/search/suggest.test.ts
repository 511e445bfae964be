// Suggestions: titles, and queries only once enough distinct searchers of the same storefront made them (one
// person repeating a phrase, or another storefront's searchers, cannot make it one); blocked terms never offered;
// the block list's operator routes.
import { afterAll, describe, expect, it } from "vitest";
import { newId } from "#shared/ids.ts";
import { type Actor, encodePrincipal, PRINCIPAL_HEADER } from "#shared/principal.ts";
import { countReaches } from "../count-reaches.ts";
import { as, asMerchant } from "../principals.ts";
import { call, operator, search } from "./client.ts";
import { db, newMerchant, newProduct, uniqueWord } from "./fixtures.ts";

// SUGGEST_MIN_SEARCHERS in workers/search/wrangler.toml.
const MIN_SEARCHERS = 5;

interface Suggestion {
  text: string;
  kind: string;
  id?: string;
  highlight: string;
}

/** The headers the gateway sends for a caller of a storefront, from an address. */
function caller(storefront: string, actor: Actor, address?: string): Record<string, string> {
  return {
    [PRINCIPAL_HEADER]: encodePrincipal({ actor, storefront: { keyId: newId("key"), merchantId: storefront } }),
    ...(address ? { "cf-connecting-ip": address } : {}),
  };
}

const anonymousFrom = (storefront: string, address: string) => caller(storefront, { type: "anonymous" }, address);
const shopper = (storefront: string) =>
  caller(storefront, { type: "shopper", shopperId: newId("shp"), sessionId: "sess_test" });

let octet = 0;
const freshAddress = () => `198.51.${Math.floor(Math.random() * 250)}.${(octet++ % 250) + 1}`;

/** Searches as a caller; the number of matches. */
async function searchAs(headers: Record<string, string>, q: string): Promise<number> {
  const res = await call(`/v1/search?q=${encodeURIComponent(q)}`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { totalCount: number }).totalCount;
}

async function suggestions(q: string, headers: Record<string, string> = {}): Promise<Suggestion[]> {
  const res = await call(`/v1/search/suggest?q=${encodeURIComponent(q)}`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Suggestion[] }).data;
}

/** Waits until the searches logged after their responses have landed: `searches` counted for the query. */
async function logged(query: string, searches: number): Promise<void> {
  const sql = "SELECT coalesce(sum(searches), 0) AS n FROM search_query_stats WHERE query = ?";
  await countReaches(db().$client, sql, [query], searches, 5000);
}

const queryTexts = (list: Suggestion[]) => list.filter((s) => s.kind === "query").map((s) => s.text);

describe("suggested queries", () => {
  it("a query one searcher makes again and again is not offered, from one address or one /64", async () => {
    const storefront = await newMerchant();
    const word = uniqueWord("sg");
    await newProduct({ merchantId: storefront, title: `建议商品 ${word}` });
    // A query that finds something, as a poisoned one would be made to.
    const query = `${word} 建议`;
    const address = freshAddress();
    const signedIn = shopper(storefront);
    for (let i = 0; i < MIN_SEARCHERS * 2; i++) {
      expect(await searchAs(anonymousFrom(storefront, address), query)).toBe(1);
      await searchAs(signedIn, query);
      // Any address of one IPv6 /64 is one searcher.
      await searchAs(anonymousFrom(storefront, `2001:db8:5:${octet}::${i + 1}`), query);
    }
    await logged(query, MIN_SEARCHERS * 6);
    const offered = await suggestions(word.slice(0, 7), caller(storefront, { type: "anonymous" }));
    expect(queryTexts(offered)).toEqual([]);
    // The title is offered all the same.
    expect(offered.map((s) => s.kind)).toContain("product");
  });

  it("a query enough distinct searchers of a storefront made is offered there, normalised, and nowhere else", async () => {
    const storefront = await newMerchant();
    const otherStorefront = await newMerchant();
    const word = uniqueWord("sg");
    await newProduct({ merchantId: storefront, title: `建议商品 ${word}` });
    const query = `${word} 建议`;
    const prefix = word.slice(0, 7);
    // One short of enough: some anonymous from their own addresses, some signed in, one typing it differently.
    const searchers = [
      ...Array.from({ length: MIN_SEARCHERS - 2 }, () => anonymousFrom(storefront, freshAddress())),
      shopper(storefront),
    ];
    for (const [i, headers] of searchers.entries()) {
      await searchAs(headers, i === 0 ? `  ${word.toUpperCase()}   建议 ` : query);
    }
    // The other storefront's searchers count for it alone.
    for (let i = 0; i < MIN_SEARCHERS; i++) await searchAs(anonymousFrom(otherStorefront, freshAddress()), query);
    await logged(query, MIN_SEARCHERS * 2 - 1);
    expect(queryTexts(await suggestions(prefix, shopper(storefront)))).toEqual([]);

    await searchAs(shopper(storefront), query);
    await logged(query, MIN_SEARCHERS * 2);
    const offered = await suggestions(prefix, shopper(storefront));
    expect(offered).toEqual(
      expect.arrayContaining([
        { text: query, kind: "query", highlight: `<mark>${prefix}</mark>${word.slice(7)} 建议` },
        expect.objectContaining({ kind: "product", highlight: `建议商品 <mark>${prefix}</mark>${word.slice(7)}` }),
      ]),
    );
    // A storefront's suggestions are its own: never stored by the edge cache, which is keyed by URL alone.
    const res = await call(`/v1/search/suggest?q=${prefix}`, { headers: shopper(storefront) });
    expect(res.headers.get("cache-control")).toBe("private, max-age=30");
    await res.body?.cancel();

    expect(queryTexts(await suggestions(prefix, anonymousFrom(await newMerchant(), freshAddress())))).toEqual([]);
    expect(queryTexts(await suggestions(prefix))).toEqual([]);
    // The other storefront had enough of its own searchers: there it is offered.
    expect(queryTexts(await suggestions(prefix, shopper(otherStorefront)))).toEqual([query]);
  });

  it("a searcher's repeated query that found nothing is not tracked", async () => {
    const storefront = await newMerchant();
    const query = `${uniqueWord("sg")} 无此商品`;
    for (let i = 0; i < MIN_SEARCHERS; i++) await searchAs(anonymousFrom(storefront, freshAddress()), query);
    await logged(query, MIN_SEARCHERS);
    const { rows } = await db().$client.execute({
      sql: "SELECT count(*) AS n FROM search_query_searchers WHERE storefront = ? AND query = ?",
      args: [storefront, query],
    });
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

const blockPath = (term: string) => `/v1/search/suggestion-blocks/${encodeURIComponent(term)}`;
const blocked: string[] = [];

async function block(term: string, headers: Record<string, string> = operator): Promise<Response> {
  const res = await call(blockPath(term), { method: "PUT", headers });
  if (res.status === 200) blocked.push(term);
  return res;
}

afterAll(async () => {
  for (const term of blocked) await call(blockPath(term), { method: "DELETE", headers: operator });
});

describe("blocked suggestion terms", () => {
  it("a query or title containing a blocked term is never offered, until it is unblocked", async () => {
    const storefront = await newMerchant();
    const word = uniqueWord("sg");
    const bad = uniqueWord("bad");
    const productId = await newProduct({ merchantId: storefront, title: `建议商品 ${word} ${bad}` });
    const query = `${word} ${bad}`;
    for (let i = 0; i < MIN_SEARCHERS; i++) await searchAs(anonymousFrom(storefront, freshAddress()), query);
    await logged(query, MIN_SEARCHERS);
    const prefix = word.slice(0, 7);
    const headers = shopper(storefront);
    const before = await suggestions(prefix, headers);
    expect(queryTexts(before)).toEqual([query]);
    expect(before.map((s) => s.id)).toContain(productId);

    // Blocked in another spelling: it is normalised as queries are.
    const res = await block(bad.toUpperCase());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: "suggestion_block", term: bad, createdAt: expect.any(String) });
    expect(await suggestions(prefix, headers)).toEqual([]);
    // Searching still finds it; only suggestions leave it out.
    expect((await search({ q: query })).totalCount).toBe(1);

    const list = await call("/v1/search/suggestion-blocks", { headers: operator });
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("private, no-store");
    const { data } = (await list.json()) as { data: { term: string }[] };
    expect(data.map((b) => b.term)).toContain(bad);

    expect((await call(blockPath(bad), { method: "DELETE", headers: operator })).status).toBe(204);
    expect((await call(blockPath(bad), { method: "DELETE", headers: operator })).status).toBe(404);
    expect(queryTexts(await suggestions(prefix, headers))).toEqual([query]);
  });

  it("blocking is the operator's alone, refused before the term is read", async () => {
    const term = uniqueWord("bad");
    const others = [
      {},
      asMerchant(await newMerchant()),
      as({ type: "shopper", shopperId: newId("shp"), sessionId: "sess_test" }),
      caller(await newMerchant(), { type: "anonymous" }, freshAddress()),
    ];
    for (const headers of others) {
      expect((await call("/v1/search/suggestion-blocks", { headers })).status).toBe(401);
      for (const method of ["PUT", "DELETE"]) {
        expect((await call(blockPath(term), { method, headers })).status).toBe(401);
        expect((await call(blockPath(" "), { method, headers })).status).toBe(401);
      }
    }
    const { data } = (await (await call("/v1/search/suggestion-blocks", { headers: operator })).json()) as {
      data: { term: string }[];
    };
    expect(data.map((b) => b.term)).not.toContain(term);
  });

  it("refuses a blank term or one over 100 characters", async () => {
    for (const term of [" ", "\u3000\t", "霜".repeat(101)]) {
      for (const method of ["PUT", "DELETE"]) {
        const res = await call(blockPath(term), { method, headers: operator });
        expect(res.status, `${method} ${JSON.stringify(term)}`).toBe(400);
        expect(await res.json()).toMatchObject({ type: expect.stringContaining("validation_failed") });
      }
    }
    const longest = uniqueWord("bad").padEnd(100, "x");
    expect((await block(longest)).status).toBe(200);
    // Blocking again is no change.
    const again = await block(longest);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { term: string }).term).toBe(longest);
  });
});
