// A fuzz run over the whole API document against a running platform: for every operation in /openapi.json, requests
// generated from its own schemas (valid ones, and broken ones: wrong types, missing or unknown fields, out of range,
// bad JSON, hostile text, bad ids) with each kind of credential, each answer checked against the document:
// no 5xx; every 4xx a problem+json with a code and the request id; every 2xx a documented status whose body matches
// its schema. Used by the short run in `npm test` (test/node/e2e/fuzz.test.ts) and the long one (`npm run fuzz`).
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { fromJSONSchema, type ZodType } from "zod";
import { anyJson, hostileString, invalid, type Json, replaceSomewhere, type Schema, valid } from "./arbitraries.ts";
import type { Credential, IdPool } from "./callers.ts";

export { type Credential, type DemoCredentials, IdPool, prepare } from "./callers.ts";

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

interface MediaType {
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

export interface ApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  /** `POST /v1/carts/{id}/lines`: how the docs and the report name it. */
  key: string;
  method: string;
  path: string;
  spec: OperationObject;
}

const methods = ["get", "post", "put", "patch", "delete"];

export function operationsOf(doc: ApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, spec]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, spec })),
  );
}

type BodyPlan =
  | { kind: "none" }
  | { kind: "json"; value: Json }
  | { kind: "text"; text: string; contentType: string }
  | { kind: "bytes"; bytes: number[] };

interface Plan {
  variant: string;
  /** Per path parameter: a known id (by index) or the generated value. */
  path: Record<string, { known: number; generated: string; useKnown: boolean }>;
  query: Record<string, string>;
  body: BodyPlan;
  idempotencyKey: boolean;
}

// At most 2,000 characters: a longer URL is refused by the HTTP server before any Worker sees it (414).
const toParam = (value: Json): string =>
  (value === null ? "null" : typeof value === "object" ? JSON.stringify(value) : String(value)).slice(0, 2000);

function pathPattern(param: Parameter): RegExp | null {
  try {
    return param.schema?.pattern ? new RegExp(param.schema.pattern) : null;
  } catch {
    return null;
  }
}

/** Requests for one operation: mostly valid by the document, the rest broken in one way each. */
export function plans(op: Operation, schemas: Record<string, Schema>): fc.Arbitrary<Plan> {
  const params = op.spec.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path");
  const queryParams = params.filter((p) => p.in === "query");
  const bodySchema = op.spec.requestBody?.content?.["application/json"]?.schema;
  const bodyRequired = op.spec.requestBody?.required === true;

  // Each path parameter: a known id (by index) or the generated value, as `useKnown` says.
  const pathRecord = (useKnown: fc.Arbitrary<boolean>, generated: (schema: Schema) => fc.Arbitrary<string>) =>
    fc.record(
      Object.fromEntries(
        pathParams.map((p) => [
          p.name,
          fc.record({ known: fc.nat(), useKnown, generated: generated(p.schema ?? { type: "string" }) }),
        ]),
      ),
    );
  const pathArb = pathRecord(fc.boolean(), (schema) => valid(schema, schemas).map(toParam));
  const badPathArb = pathRecord(fc.constant(false), (schema) =>
    fc.oneof(
      hostileString.map(toParam),
      invalid(schema, schemas).map(toParam),
      fc.constantFrom("prod_01JZ0000000000000000000000", "cart_x", "..", "%00", "a/b"),
    ),
  );
  // A cursor is opaque, made only by the server: a valid request starts at the first page.
  const queryArb = fc.record(
    Object.fromEntries(
      queryParams
        .filter((p) => p.name !== "cursor")
        .map((p) => [p.name, valid(p.schema ?? { type: "string" }, schemas).map(toParam)]),
    ),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
  ) as fc.Arbitrary<Record<string, string>>;
  const badQueryArb =
    queryParams.length === 0
      ? queryArb
      : fc
          .tuple(
            queryArb,
            fc.constantFrom(...queryParams),
            fc.oneof(hostileString, fc.constant("-1"), fc.constant("1e99")),
          )
          .map(([q, p, bad]) => ({ ...q, [p.name]: toParam(bad) }));

  const validBody: fc.Arbitrary<BodyPlan> = bodySchema
    ? bodyRequired
      ? valid(bodySchema, schemas).map((value) => ({ kind: "json", value }))
      : fc.oneof(
          valid(bodySchema, schemas).map((value): BodyPlan => ({ kind: "json", value })),
          fc.constant<BodyPlan>({ kind: "none" }),
        )
    : fc.constant({ kind: "none" });

  // GET has no body: its broken requests are in its path and query.
  const brokenBodies: fc.Arbitrary<{ variant: string; body: BodyPlan }>[] =
    op.method === "GET"
      ? []
      : [
          fc
            .constantFrom("{bad", '{"a":', "[", '{"a":1}}', "\u0000", "")
            .map((text) => ({ variant: "bad JSON", body: { kind: "text", text, contentType: "application/json" } })),
          fc.constant({
            variant: "not UTF-8",
            body: { kind: "bytes", bytes: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d] },
          }),
          fc.constant({
            variant: "reserved key",
            body: {
              kind: "text",
              text: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}',
              contentType: "application/json",
            },
          }),
          fc.constant({
            variant: "wrong content type",
            body: { kind: "text", text: "a=1", contentType: "text/plain" },
          }),
          anyJson.map((value) => ({ variant: "any JSON", body: { kind: "json", value } })),
        ];
  if (bodySchema) {
    brokenBodies.push(
      invalid(bodySchema, schemas).map((value) => ({ variant: "invalid body", body: { kind: "json", value } })),
      fc
        .tuple(valid(bodySchema, schemas), fc.nat(), fc.oneof(hostileString, invalid({}, schemas), anyJson))
        .map(([value, pick, bad]) => ({
          variant: "field replaced",
          body: { kind: "json", value: replaceSomewhere(value, pick, bad) },
        })),
      fc.tuple(valid(bodySchema, schemas), fc.nat()).map(([value, pick]) => ({
        variant: "field out of range",
        body: { kind: "json", value: replaceSomewhere(value, pick, outOfRange(pick)) },
      })),
    );
  }

  const validPlan = fc
    .record({ path: pathArb, query: queryArb, body: validBody, idempotencyKey: fc.boolean() })
    .map((p): Plan => ({ ...p, variant: "valid", idempotencyKey: p.idempotencyKey || op.method !== "GET" }));
  const broken: fc.Arbitrary<Plan>[] = [
    fc
      .record({ path: pathArb, query: badQueryArb, body: validBody, idempotencyKey: fc.boolean() })
      .map((p) => ({ ...p, variant: "bad query" })),
  ];
  if (brokenBodies.length > 0) {
    broken.push(
      fc
        .record({ path: pathArb, query: queryArb, broken: fc.oneof(...brokenBodies), idempotencyKey: fc.boolean() })
        .map(({ broken: b, ...p }) => ({ ...p, variant: b.variant, body: b.body })),
    );
  }
  if (pathParams.length > 0) {
    broken.push(
      fc
        .record({ path: badPathArb, query: queryArb, body: validBody, idempotencyKey: fc.boolean() })
        .map((p) => ({ ...p, variant: "bad path id" })),
    );
  }
  return fc.oneof({ weight: 3, arbitrary: validPlan }, { weight: 2, arbitrary: fc.oneof(...broken) });
}

function outOfRange(pick: number): Json {
  const values: Json[] = [1000, 1_000_000, -1, 2 ** 53 + 2, 1e300, 0, 10_001, "9".repeat(400)];
  return values[pick % values.length] ?? -1;
}

export interface Failure {
  operation: string;
  credential: string;
  variant: string;
  /** `--seed` and `--only` that regenerate it (answers may differ where it reached data an earlier request made). */
  seed: number;
  index: number;
  reason: string;
  request: string;
  status: number;
  response: string;
}

export interface OperationCount {
  requests: number;
  statuses: Record<string, number>;
  /** Requests valid by the document that were refused 400 (a refinement the schema cannot say, or a drift). */
  validRefused: { request: string; response: string }[];
}

export interface Report {
  seed: number;
  requests: number;
  operations: Map<string, OperationCount>;
  failures: Failure[];
}

export interface FuzzOptions {
  gateway: string;
  doc: ApiDocument;
  credentials: Credential[];
  pool: IdPool;
  /** Requests per operation and credential. */
  runs: number;
  seed: number;
  concurrency?: number;
  /** Only operations whose key contains this. */
  only?: string;
  /** Asked between requests: true ends the run early (the report holds what was sent). */
  stop?: () => boolean;
  progress?: (done: number, total: number) => void;
}

/** A 32-bit seed for one operation and credential, from the run's seed. */
function seedOf(seed: number, ...parts: string[]): number {
  let h = seed | 0;
  for (const ch of parts.join("|")) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

export async function fuzzApi(options: FuzzOptions): Promise<Report> {
  const { gateway, doc, credentials, pool, runs, seed } = options;
  // The document's schemas once with #/$defs references, for zod's JSON Schema reader.
  const defs = JSON.parse(
    JSON.stringify(doc.components?.schemas ?? {}).replaceAll("#/components/schemas/", "#/$defs/"),
  );
  const validators = new Map<Schema, ZodType>();
  const validatorOf = (schema: Schema): ZodType => {
    let validator = validators.get(schema);
    if (!validator) {
      const rooted = JSON.parse(JSON.stringify(schema).replaceAll("#/components/schemas/", "#/$defs/"));
      validator = fromJSONSchema({ ...rooted, $defs: defs }, { defaultTarget: "draft-2020-12" });
      validators.set(schema, validator);
    }
    return validator;
  };
  const schemas = doc.components?.schemas ?? {};
  const problemSchema = schemas.Problem;
  const operations = operationsOf(doc).filter((op) => !options.only || op.key.includes(options.only));

  interface Task {
    op: Operation;
    credential: Credential;
    plan: Plan;
    seed: number;
    index: number;
  }
  const tasks: Task[] = [];
  for (const op of operations) {
    const arb = plans(op, schemas);
    for (const credential of credentials) {
      const taskSeed = seedOf(seed, op.key, credential.name);
      fc.sample(arb, { numRuns: runs, seed: taskSeed }).forEach((plan, index) => {
        tasks.push({ op, credential, plan, seed: taskSeed, index });
      });
    }
  }
  // Interleaved (the same order for the same seed), so writes and reads of one resource meet.
  const order =
    fc.sample(fc.shuffledSubarray(tasks, { minLength: tasks.length, maxLength: tasks.length }), {
      numRuns: 1,
      seed,
    })[0] ?? tasks;

  const report: Report = { seed, requests: 0, operations: new Map(), failures: [] };
  for (const op of operations) report.operations.set(op.key, { requests: 0, statuses: {}, validRefused: [] });

  const runTask = async (task: Task) => {
    const { op, credential, plan } = task;
    const params = op.spec.parameters ?? [];
    let url = op.path;
    for (const p of params.filter((param) => param.in === "path")) {
      const chosen = plan.path[p.name];
      const known = chosen?.useKnown ? pool.pick(pathPattern(p), chosen.known) : undefined;
      url = url.replace(`{${p.name}}`, pathSegment(known ?? chosen?.generated ?? "x"));
    }
    const query = new URLSearchParams(plan.query).toString();
    if (query) url += `?${query}`;
    const headers: Record<string, string> = { ...credential.headers };
    if (plan.idempotencyKey) headers["idempotency-key"] = randomUUID();
    let body: BodyInit | undefined;
    if (plan.body.kind === "json") {
      headers["content-type"] = "application/json";
      body = JSON.stringify(plan.body.value);
    } else if (plan.body.kind === "text") {
      headers["content-type"] = plan.body.contentType;
      body = plan.body.text;
    } else if (plan.body.kind === "bytes") {
      headers["content-type"] = "application/json";
      body = new Uint8Array(plan.body.bytes);
    }
    const count = report.operations.get(op.key);
    if (count) count.requests++;
    report.requests++;
    const describe = () =>
      `${op.method} ${url}${body === undefined ? "" : ` ${typeof body === "string" ? JSON.stringify(body.slice(0, 400)) : "<bytes>"}`}`;
    const fail = (reason: string, status: number, response: string) =>
      report.failures.push({
        operation: op.key,
        credential: credential.name,
        variant: plan.variant,
        seed: task.seed,
        index: task.index,
        reason,
        request: describe(),
        status,
        response: response.slice(0, 600),
      });
    let res: Response | undefined;
    let text = "";
    // Once more if the connection was closed under the request: undici reuses a kept-alive socket the server may
    // be closing at that moment (the request never reached a Worker). Any other failure to answer is a failure.
    for (let attempt = 0; res === undefined; attempt++) {
      try {
        res = await fetch(`${gateway}${url}`, {
          method: op.method,
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(60_000),
        });
        text = await res.text();
      } catch (err) {
        const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
        const closed = cause?.code === "UND_ERR_SOCKET" || cause?.code === "ECONNRESET";
        if (closed && attempt === 0) continue;
        fail(`no answer: ${(err as Error).message} (${cause?.code ?? ""} ${cause?.message ?? ""})`, 0, "");
        return;
      }
    }
    if (count) count.statuses[res.status] = (count.statuses[res.status] ?? 0) + 1;
    if (count && plan.variant === "valid" && res.status === 400 && count.validRefused.length < 2) {
      count.validRefused.push({ request: describe(), response: text.slice(0, 300) });
    }
    const reason = judge(op, res, text, validatorOf, problemSchema);
    if (reason) fail(reason, res.status, text);
    else if (res.status < 300 && text.length > 0) {
      try {
        pool.harvest(JSON.parse(text));
      } catch {
        // not JSON: nothing to harvest
      }
    }
  };

  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < order.length && !options.stop?.()) {
      const task = order[next++];
      if (task) await runTask(task);
      options.progress?.(++done, order.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return report;
}

/**
 * A value as one path segment. A lone surrogate cannot travel in a URL: it goes as U+FFFD, as a browser sends it.
 * A segment `.` or `..` (even as %2E) is resolved away by every URL parser, so it would reach another route.
 */
function pathSegment(value: string): string {
  const segment = encodeURIComponent(value.replace(/\p{Cs}/gu, "\uFFFD"));
  return /^(\.|%2e){1,2}$/i.test(segment) ? `${segment}x` : segment;
}

/** What is wrong with this answer by the document, or null. */
function judge(
  op: Operation,
  res: Response,
  text: string,
  validatorOf: (schema: Schema) => ZodType,
  problemSchema: Schema | undefined,
): string | null {
  const contentType = res.headers.get("content-type") ?? "";
  const requestId = res.headers.get("x-request-id");
  if (res.status >= 500) return `server error ${res.status}`;
  if (res.status >= 400) {
    if (!contentType.startsWith("application/problem+json")) return `error ${res.status} is not problem+json`;
    let problem: { code?: unknown; requestId?: unknown };
    try {
      problem = JSON.parse(text);
    } catch {
      return `error ${res.status}'s body is not JSON`;
    }
    if (typeof problem.code !== "string" || problem.code === "") return `error ${res.status} has no code`;
    if (typeof problem.requestId !== "string" || problem.requestId === "")
      return `error ${res.status} has no requestId`;
    if (problem.requestId !== requestId) return `error ${res.status}'s requestId is not its X-Request-Id`;
    if (problemSchema) {
      const checked = validatorOf(problemSchema).safeParse(problem);
      if (!checked.success) return `error ${res.status} does not match Problem: ${issues(checked.error)}`;
    }
    return null;
  }
  const declared = op.spec.responses[String(res.status)];
  if (!declared) return `status ${res.status} is not documented`;
  const media = declared.content ?? {};
  const jsonSchema = media["application/json"]?.schema;
  if (jsonSchema) {
    if (!contentType.startsWith("application/json")) return `${res.status} is ${contentType}, not application/json`;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${res.status}'s body is not JSON`;
    }
    const checked = validatorOf(jsonSchema).safeParse(body);
    if (!checked.success) return `${res.status} does not match its schema: ${issues(checked.error)}`;
  } else if (Object.keys(media).length === 0 && text.length > 0 && res.status === 204) {
    return "204 with a body";
  }
  return null;
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `/${i.path.map(String).join("/")}: ${i.message}`)
    .join("; ");
}

/** The per-operation table and the failures, grouped by operation, status and reason, for people. */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  const width = Math.max(...[...report.operations.keys()].map((k) => k.length), 9);
  lines.push(`${"operation".padEnd(width)}  requests  statuses`);
  for (const [key, count] of report.operations) {
    const statuses = Object.entries(count.statuses)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, n]) => `${status}×${n}`)
      .join(" ");
    lines.push(`${key.padEnd(width)}  ${String(count.requests).padStart(8)}  ${statuses}`);
  }
  lines.push(`${report.requests} requests over ${report.operations.size} operations, seed ${report.seed}.`);
  const refused = [...report.operations].filter(([, count]) => count.validRefused.length > 0);
  if (refused.length > 0) {
    lines.push("Requests valid by the document but refused 400 (a rule the schema cannot say, or a drift), one each:");
    for (const [key, count] of refused) {
      const first = count.validRefused[0];
      if (first) lines.push(`  ${key}: ${first.request}\n    → ${first.response}`);
    }
  }
  const groups = new Map<string, Failure[]>();
  for (const f of report.failures) {
    const group = `${f.operation} | ${f.status} | ${f.reason.replace(/: .*/, "")}`;
    groups.set(group, [...(groups.get(group) ?? []), f]);
  }
  lines.push(`${report.failures.length} failures in ${groups.size} groups.`);
  for (const [group, failures] of groups) {
    const f = failures[0];
    if (!f) continue;
    lines.push(
      `- ${group} (${failures.length}×) — ${f.reason}`,
      `  as ${f.credential}, ${f.variant}: ${f.request}`,
      `  answer: ${f.response}`,
      `  again: npm run fuzz -- --seed ${report.seed} --only "${f.operation}" (sample ${f.index} of seed ${f.seed})`,
    );
  }
  return lines.join("\n");
}
