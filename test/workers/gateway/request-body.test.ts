// What a client hears when its request body is not JSON at all: a problem naming what to send, and where.
import { describe, expect, it } from "vitest";
import { bearer, call, expectProblem, onboardMerchant, operator } from "./helpers.ts";

describe("a body that is not JSON", () => {
  it("is 415 naming the Content-Type to send, at /headers/content-type", async () => {
    const merchant = await onboardMerchant();
    const variants: Record<string, string>[] = [{ "content-type": "text/plain" }, {}];
    for (const headers of variants) {
      const res = await call("/v1/products", {
        method: "POST",
        headers: { ...headers, ...bearer(merchant.secretKey.key) },
        body: "title=口红",
      });
      const problem = await expectProblem(res, 415, "unsupported_media_type");
      expect(problem.detail).toContain("Content-Type: application/json");
      expect(problem.errors).toEqual([{ path: "/headers/content-type", message: "must be application/json" }]);
    }
  });

  it("is 400 at the body's root when the JSON is malformed", async () => {
    const merchant = await onboardMerchant();
    const res = await call("/v1/products", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(merchant.secretKey.key) },
      body: "{bad",
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "", message: "malformed JSON" }]);
  });
});

describe("a JSON body whose text is not accepted", () => {
  const send = async (body: string | Uint8Array) => {
    const merchant = await onboardMerchant();
    return call("/v1/products", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...bearer(merchant.secretKey.key) },
      body,
    });
  };

  it("is 400 at the body's root when it is not UTF-8", async () => {
    const bytes = new TextEncoder().encode('{"title":"口红"}');
    const res = await send(new Uint8Array([...bytes.slice(0, 10), 0xff, ...bytes.slice(10)]));
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "", message: "not valid UTF-8" }]);
  });

  it("is 400 at a key that reaches an object's prototype", async () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const res = await send(`{"title":"口红","attributes":{"a/b":{"${key}":{"x":1}}}}`);
      const problem = await expectProblem(res, 400, "validation_failed");
      expect(problem.errors).toEqual([{ path: `/attributes/a~1b/${key}`, message: "is a reserved key" }]);
    }
  });

  it("is 400 at a string holding a control character or a lone surrogate, as a value or as a key", async () => {
    const cases: [string, string, string][] = [
      ['{"title":"口\\u0000红"}', "/title", "contains a control character"],
      ['{"title":"口\\u007f红"}', "/title", "contains a control character"],
      ['{"tags":["ok","\\ud83d"]}', "/tags/1", "contains a lone surrogate"],
      ['{"tags":["\\udc00x"]}', "/tags/0", "contains a lone surrogate"],
      ['{"attributes":{"a\\u0001":"x"}}', "/attributes/a\u0001", "key contains a control character"],
    ];
    for (const [body, path, message] of cases) {
      const problem = await expectProblem(await send(body), 400, "validation_failed");
      expect(problem.errors, body).toEqual([{ path, message }]);
    }
  });

  it("passes tab, newline, carriage return and paired surrogates on to the Worker as they came", async () => {
    const res = await send('{"title":"口红","description":"色号\\t\\n\\r\\ud83d\\udc84 💄"}');
    // Past the gateway: the catalog Worker answers, on the one field missing (no SKUs), not on the text.
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors?.map((e) => e.path)).toEqual(["/skus"]);
  });
});

describe("the gateway's own routes", () => {
  // Each of these is answered by the gateway itself, not forwarded: the same text rules hold for them.
  const own: [string, () => Promise<Record<string, string>>][] = [
    ["/v1/merchants", async () => operator()],
    ["/v1/creators", async () => operator()],
    ["/v1/oidc-issuers", async () => operator()],
    ["/v1/api-keys", async () => bearer((await onboardMerchant()).secretKey.key)],
    ["/v1/shopper-sessions", async () => ({})],
    ["/v1/creator-sessions", async () => ({})],
  ];

  it("refuse a body that is not UTF-8, a reserved key, a control character or a lone surrogate, at its pointer", async () => {
    const utf8 = new TextEncoder().encode('{"name":"口红"}');
    const cases: [string | Uint8Array, string, string][] = [
      [new Uint8Array([...utf8.slice(0, 10), 0xff, ...utf8.slice(10)]), "", "not valid UTF-8"],
      ['{"name":"x","__proto__":{"admin":true}}', "/__proto__", "is a reserved key"],
      ['{"name":"口\\u0000红"}', "/name", "contains a control character"],
      ['{"name":"\\ud83d"}', "/name", "contains a lone surrogate"],
    ];
    for (const [path, headers] of own) {
      const auth = await headers();
      for (const [body, at, message] of cases) {
        const res = await call(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body,
        });
        const problem = await expectProblem(res, 400, "validation_failed");
        expect(problem.errors, `${path} ${at}`).toEqual([{ path: at, message }]);
      }
    }
  });
});
