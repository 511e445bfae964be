// Who may call is checked before the input is read: for every operation in the document, a caller the route refuses
// gets its 401 or 403 whatever it sends (a malformed id, query or body included). Nobody at all is refused by every
// write but the few open to anyone, and by every read of what is not public. Each operation is called three ways,
// as five kinds of caller (a merchant key with one scope among them).
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, call, creatorSession, onboardMerchant, operator, post } from "./helpers.ts";

interface Parameter {
  name: string;
  in: string;
  example?: unknown;
  schema?: { example?: unknown };
}
interface Operation {
  parameters?: Parameter[];
  responses?: unknown;
}

/** The writes anyone may send: signing in with a key or a refresh token, a provider's webhook, a viewer's token. */
const openWrites = [
  "POST /v1/creator-sessions",
  "POST /v1/creator-sessions/refresh",
  "POST /v1/shopper-sessions/refresh",
  "POST /v1/webhooks/stripe",
  "POST /v1/live/sessions/{id}/token",
];

/** The reads anyone may make: the catalog, notes, feed, search, live sessions, promotions and their media; keys. */
const publicReads = [
  "/.well-known/jwks.json",
  "/health",
  "/media/{id}/{width}",
  "/v1/campaigns",
  "/v1/campaigns/{id}",
  "/v1/campaigns/{id}/products",
  "/v1/coupons/{id}",
  "/v1/creators/{id}/showcase",
  "/v1/feed",
  "/v1/flash-sales/{id}",
  "/v1/live/sessions",
  "/v1/live/sessions/{id}",
  "/v1/live/sessions/{id}/replay",
  "/v1/live/sessions/{id}/room",
  "/v1/notes/{id}",
  "/v1/notes/{id}/comments",
  "/v1/notes/{id}/related",
  "/v1/presales/{id}",
  "/v1/products",
  "/v1/products/{id}",
  "/v1/promotions/spend-and-save",
  "/v1/search",
  "/v1/search/suggest",
];

const refused = (status: number) => status === 401 || status === 403;

let operations: { method: string; path: string; op: Operation }[] = [];
let callers: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  const doc = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, Operation>> }>();
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => (op.responses ? [{ method: method.toUpperCase(), path, op }] : [])),
  );
  const merchant = await onboardMerchant();
  // A key of the same merchant with one scope: every route that needs another refuses it (403) before its input.
  const narrow = await (
    await call("/v1/api-keys", post({ kind: "secret", scopes: ["webhooks:write"] }, bearer(merchant.secretKey.key)))
  ).json<{ key: string }>();
  callers = {
    nobody: {},
    merchant: bearer(merchant.secretKey.key),
    "merchant (webhooks:write only)": bearer(narrow.key),
    creator: (await creatorSession("先验")).headers,
    operator: operator(),
  };
});

/** The path with each parameter a well-formed value (the document's example) or a malformed one. */
function pathOf(path: string, op: Operation, wellFormed: boolean): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const parameter = op.parameters?.find((p) => p.name === name && p.in === "path");
    return wellFormed ? String(parameter?.example ?? parameter?.schema?.example ?? "x") : "~not-an-id~";
  });
}

/** Three requests whose input is wrong in different places: the id, the body (or query), or nothing sent at all. */
function variants(method: string, path: string, op: Operation): { url: string; body?: string }[] {
  const good = pathOf(path, op, true);
  if (method === "GET") {
    return [{ url: pathOf(path, op, false) }, { url: good }, { url: `${good}?limit=many&cursor=%25%25` }];
  }
  return [
    { url: pathOf(path, op, false), body: JSON.stringify({ unknownField: 1 }) },
    { url: good, body: JSON.stringify({ unknownField: 1 }) },
    { url: good, body: "{}" },
  ];
}

async function statuses(method: string, path: string, op: Operation, headers: Record<string, string>) {
  const answers: number[] = [];
  for (const { url, body } of variants(method, path, op)) {
    const res = await call(url, {
      method,
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID(), ...headers },
      body,
    });
    await res.body?.cancel();
    answers.push(res.status);
  }
  return answers;
}

describe("who may call is checked before the input", () => {
  it("refuses nobody's writes, whatever they send, except the writes open to anyone", async () => {
    const writes = operations.filter(({ method }) => method !== "GET");
    expect(writes.length).toBeGreaterThan(80);
    const unrefused: string[] = [];
    for (const { method, path, op } of writes) {
      const answers = await statuses(method, path, op, callers.nobody ?? {});
      if (!answers.every((status) => status === 401)) unrefused.push(`${method} ${path}`);
    }
    expect(unrefused.sort()).toEqual([...openWrites].sort());
  });

  it("refuses nobody's reads of what is not public, whatever the id or query", async () => {
    const reads = operations.filter(({ method }) => method === "GET");
    const unrefused: string[] = [];
    for (const { method, path, op } of reads) {
      const answers = await statuses(method, path, op, callers.nobody ?? {});
      if (!answers.every((status) => status === 401)) unrefused.push(path);
    }
    expect(unrefused.sort()).toEqual([...publicReads].sort());
  });

  it("answers each kind of caller the same refusal, or none, whichever part of the input is wrong", async () => {
    expect(operations.length).toBeGreaterThan(150);
    const mixed: string[] = [];
    const refusals: Record<string, number> = {};
    for (const [who, headers] of Object.entries(callers)) {
      refusals[who] = 0;
      for (const { method, path, op } of operations) {
        const answers = await statuses(method, path, op, headers);
        if (answers.some(refused) && !answers.every(refused)) mixed.push(`${who}: ${method} ${path} ${answers}`);
        if (answers.every(refused)) refusals[who] += 1;
      }
    }
    expect(mixed).toEqual([]);
    // Each credential is real and of its own kind: each is refused by some routes, and the narrow key by more than
    // the full one (the routes needing a scope it lacks).
    for (const count of Object.values(refusals)) expect(count).toBeGreaterThan(0);
    expect(refusals["merchant (webhooks:write only)"]).toBeGreaterThan(refusals.merchant ?? 0);
  });
});
