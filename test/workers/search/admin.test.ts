// Operator synonyms, query analytics (operator and merchant), edge-cache headers and bad input.
import { describe, expect, it } from "vitest";
import { as, asMerchant } from "../principals.ts";
import { call, ids, operator, search } from "./client.ts";
import { newMerchant, newProduct, uniqueWord } from "./fixtures.ts";

const putSynonyms = (name: string, terms: string[], headers: Record<string, string> = operator) =>
  call(`/v1/search/synonyms/${name}`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ terms }),
  });

describe("synonyms", () => {
  it("a query for one term of a set finds what the others find, until the set is deleted", async () => {
    const merchantId = await newMerchant();
    const line = uniqueWord();
    const nickname = uniqueWord("xhp");
    const id = await newProduct({ merchantId, title: `兰蔻 Advanced Génifique ${line} 精华` });
    expect(ids(await search({ q: nickname }))).toEqual([]);

    const name = `set-${nickname}`;
    const res = await putSynonyms(name, [nickname, `Advanced Génifique ${line}`]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: "synonym_set",
      name,
      terms: [`advanced génifique ${line}`, nickname].sort(),
    });
    const found = await search({ q: nickname });
    expect(ids(found)).toEqual([id]);
    expect(found.query.synonyms).toEqual([`advanced génifique ${line}`]);
    // Within a longer query the synonym stands for its term: 精华 must still match.
    expect(ids(await search({ q: `${nickname} 精华` }))).toEqual([id]);
    expect(ids(await search({ q: `${nickname} 面霜` }))).toEqual([]);

    const list = await call("/v1/search/synonyms", { headers: operator });
    expect(((await list.json()) as { data: { name: string }[] }).data.map((s) => s.name)).toContain(name);

    expect((await call(`/v1/search/synonyms/${name}`, { method: "DELETE", headers: operator })).status).toBe(204);
    expect(ids(await search({ q: nickname }))).toEqual([]);
    expect((await call(`/v1/search/synonyms/${name}`, { method: "DELETE", headers: operator })).status).toBe(404);
  });

  it("are the operator's to manage, with at least two distinct terms", async () => {
    expect((await putSynonyms("nope", ["a", "b"], {})).status).toBe(401);
    expect((await putSynonyms("nope", ["a", "b"], asMerchant("mer_01JZ0000000000000000000001"))).status).toBe(401);
    expect((await putSynonyms("nope", ["Same", "same "])).status).toBe(400);
    expect((await putSynonyms("Bad Name", ["a", "b"])).status).toBe(400);
    expect((await call("/v1/search/synonyms")).status).toBe(401);
  });
});

interface Analytics {
  topQueries: { query: string; searches?: number; zeroResults?: number; impressions?: number }[];
  zeroResultQueries: { query: string; searches: number }[];
}

async function analytics(headers: Record<string, string>): Promise<Analytics> {
  const res = await call("/v1/search/analytics?limit=100", { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Analytics;
}

describe("analytics", () => {
  it("counts normalised queries per day, with zero-result queries apart; merchants see their own", async () => {
    const merchantId = await newMerchant();
    const word = uniqueWord();
    const missing = uniqueWord();
    await newProduct({ merchantId, title: `分析商品 ${word}` });
    await search({ q: `  ${word.toUpperCase()} ` });
    await search({ q: word });
    for (let i = 0; i < 3; i++) await search({ q: missing });
    // Counted after the response is sent.
    await expect
      .poll(
        async () => {
          const day = await analytics(operator);
          return [
            day.topQueries.find((q) => q.query === word)?.searches,
            day.zeroResultQueries.find((q) => q.query === missing)?.searches,
          ];
        },
        { timeout: 5000, interval: 50 },
      )
      .toEqual([2, 3]);
    const day = await analytics(operator);
    expect(day.zeroResultQueries.find((q) => q.query === word)).toBeUndefined();

    const own = await analytics(asMerchant(merchantId));
    expect(own.topQueries).toEqual([{ query: word, impressions: 2 }]);
    expect(own.zeroResultQueries).toEqual([]);
    expect((await call("/v1/search/analytics", { headers: asMerchant(merchantId, ["catalog:write"]) })).status).toBe(
      403,
    );
    expect((await call("/v1/search/analytics")).status).toBe(401);
    expect((await call("/v1/search/analytics?day=yesterday", { headers: operator })).status).toBe(400);
  });
});

describe("HTTP", () => {
  it("marks searches and suggestions cacheable at the edge for 30 s", async () => {
    for (const path of ["/v1/search?q=%E9%9C%9C", "/v1/search/suggest?q=%E9%9C%9C"]) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    }
  });

  it("refuses queries over 200 characters, unknown parameters and filters or sorts a type lacks", async () => {
    expect((await call(`/v1/search?q=${encodeURIComponent("霜".repeat(200))}`)).status).toBe(200);
    const tooLong = await call(`/v1/search?q=${encodeURIComponent("霜".repeat(201))}`);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "/q" }] });
    expect((await call("/v1/search?q=a&colour=red")).status).toBe(400);
    expect((await call("/v1/search?q=a&type=notes&category=home")).status).toBe(400);
    expect((await call("/v1/search?q=a&type=live&sort=price_asc")).status).toBe(400);
    expect((await call("/v1/search?q=a&type=shops")).status).toBe(400);
    expect((await call("/v1/search?q=a&minPrice=500&maxPrice=100")).status).toBe(400);
    expect((await call("/v1/search?limit=101")).status).toBe(400);
  });

  it("a query of only symbols finds nothing (it is not a browse)", async () => {
    const body = await search({ q: '*** "" ( ^' });
    expect(body).toMatchObject({ data: [], totalCount: 0, nextCursor: null });
  });

  it("the anonymous caller searches like anyone, and gets 401 from what the operator manages", async () => {
    const anonymous = as({ type: "anonymous" });
    expect((await call("/v1/search?q=%E9%9C%9C", { headers: anonymous })).status).toBe(200);
    for (const [method, path] of [
      ["GET", "/v1/search/synonyms"],
      ["DELETE", "/v1/search/synonyms/nope"],
      ["GET", "/v1/search/settings"],
      ["POST", "/v1/search/reindex"],
      ["GET", "/v1/search/analytics"],
    ] as const) {
      const res = await call(path, { method, headers: anonymous });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(await res.json()).toMatchObject({ code: "unauthorized" });
    }
  });
});
