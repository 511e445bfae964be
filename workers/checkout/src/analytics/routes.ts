// The business figures (shared/analytics.ts keeps them): per merchant, creator, live session, note and the platform,
// a per-day series and the totals of a range of UTC days; and a caller's live sessions with their range totals.
// Each figure is of one mode (test or live: the caller's, the operator's choice): a test order never counts in live.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { scopeKinds } from "#shared/analytics.ts";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { calendarDay, pageOf, resourceFields } from "#shared/openapi/schemas.ts";
import { decodeCursor, page, pageQuery } from "#shared/pagination.ts";
import { checkFirst, modeOf, principalOf } from "#shared/principal.ts";
import { type AnalyticsCaller, analyticsCaller, authorizeScope } from "./access.ts";
import { affiliateFigureRoutes } from "./affiliates.ts";
import { DayFiguresSchema, type DayRange, FiguresSchema, readReport, readTotals, type Scope } from "./report.ts";

/** The longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

const day = calendarDay;

const rangeQuery = z.object({
  from: day
    .optional()
    .openapi({ description: "First UTC day, inclusive (default: 29 days before `to`).", example: "2026-11-01" }),
  to: day.optional().openapi({ description: "Last UTC day, inclusive (default: today).", example: "2026-11-30" }),
  mode: z.enum(["test", "live"]).optional().openapi({
    description:
      "Whose figures: test or live mode. The operator chooses (default live); a key or session reads only its own mode's (another is 403 `forbidden`).",
  }),
});

/** The mode of the figures read: the operator's choice (default live), else the caller's own mode only. */
function figuresLivemode(c: Context, caller: AnalyticsCaller, asked: "test" | "live" | undefined): boolean {
  if (caller.type === "operator") return (asked ?? "live") === "live";
  const own = modeOf(principalOf(c));
  if (asked !== undefined && asked !== own) {
    throw new ProblemError("forbidden", `A ${own}-mode caller reads only ${own}-mode figures.`, {
      errors: [{ path: "/mode", message: `must be ${own}` }],
    });
  }
  return own === "live";
}

const DAY_MS = 86_400_000;

/** The range asked for, defaulted, or a validation problem naming the field at fault. */
export function dayRange(query: { from?: string | undefined; to?: string | undefined }, now = new Date()): DayRange {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const toMs = Date.parse(`${to}T00:00:00Z`);
  const from = query.from ?? new Date(toMs - (DEFAULT_RANGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const span = (toMs - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (span < 1) {
    throw new ProblemError("validation_failed", `from ${from} is after to ${to}.`, {
      errors: [{ path: "/from", message: "must not be after to" }],
    });
  }
  if (span > MAX_RANGE_DAYS) {
    throw new ProblemError(
      "validation_failed",
      `The range covers ${span} days; at most ${MAX_RANGE_DAYS} may be asked for.`,
      {
        errors: [{ path: "/from", message: `must be at most ${MAX_RANGE_DAYS - 1} days before to` }],
      },
    );
  }
  return { from, to };
}

const ReportSchema = z
  .object({
    object: z.literal("analytics_report"),
    scope: z.object({ kind: z.enum(scopeKinds), id: z.string() }),
    from: z.string(),
    to: z.string(),
    totals: FiguresSchema,
    days: z.array(DayFiguresSchema).openapi({ description: "Every day of the range, oldest first, zeros included." }),
  })
  .openapi("AnalyticsReport");

const SessionFiguresSchema = z
  .object({
    ...resourceFields("live_session_figures"),
    title: z.string(),
    status: z.string(),
    scheduledStartAt: z.string(),
    totals: FiguresSchema,
  })
  .openapi("LiveSessionFigures");

const idParam = (pattern: RegExp, example: string) =>
  z.object({
    id: z
      .string()
      .regex(pattern, `must match ${pattern.source}`)
      .openapi({ param: { name: "id", in: "path" }, example }),
  });

const scopeRoutes = {
  merchant: { path: "/merchants/{id}", params: idParam(/^(me|mer_[0-9A-Za-z]{1,64})$/, "me"), name: "a merchant" },
  creator: { path: "/creators/{id}", params: idParam(/^(me|cre_[0-9A-Za-z]{1,64})$/, "me"), name: "a creator" },
  live_session: {
    path: "/live-sessions/{id}",
    params: idParam(/^live_[0-9A-Za-z]{1,64}$/, "live_01JDEMO0000000000000000000"),
    name: "a live session",
  },
  note: {
    path: "/notes/{id}",
    params: idParam(/^note_[0-9A-Za-z]{1,64}$/, "note_01JDEMO0000000000000000000"),
    name: "a note",
  },
} as const;

const access =
  "A merchant's secret key with `analytics:read` reads its own merchant (`me`) and the live sessions its store hosts; a signed-in creator its own figures (`me`), notes and sessions; the operator key everything. Another's is 404.";

export const analyticsRoutes = createRouter<{ Bindings: Env }>();
// Every figure needs a merchant's key (`analytics:read`), a creator's session or the operator, before input is read.
analyticsRoutes.use(checkFirst(analyticsCaller));
// Sales through creators, by creator and by affiliate plan (affiliates.ts).
affiliateFigureRoutes(analyticsRoutes);

async function report(
  c: Context<{ Bindings: Env }>,
  kind: Scope["kind"],
  id: string,
  query: z.infer<typeof rangeQuery>,
) {
  const caller = analyticsCaller(c);
  const range = dayRange(query);
  const db = database(c.env);
  const scope = await authorizeScope(db, caller, kind, id);
  const { totals, days } = await readReport(db.$client, scope, range, figuresLivemode(c, caller, query.mode));
  c.header("cache-control", "private, no-store");
  return { object: "analytics_report" as const, scope, from: range.from, to: range.to, totals, days };
}

for (const [kind, route] of Object.entries(scopeRoutes) as [
  Exclude<Scope["kind"], "platform">,
  (typeof scopeRoutes)[keyof typeof scopeRoutes],
][]) {
  analyticsRoutes.openapi(
    createRoute({
      method: "get",
      path: route.path,
      summary: `The business figures of ${route.name}, per day and over a range`,
      description: access,
      request: { params: route.params, query: rangeQuery.strict() },
      responses: ok(ReportSchema, "The figures", 400, 401, 403, 404),
    }),
    async (c) => c.json(await report(c, kind, c.req.valid("param").id, c.req.valid("query")), 200),
  );
}

analyticsRoutes.openapi(
  route("GET /platform", "The platform's business figures, per day and over a range (the operator)", {
    caller: checkFirst((c) => authorizeScope(database(c.env), analyticsCaller(c), "platform", "")),
    request: { query: rangeQuery.strict() },
    responses: ok(ReportSchema, "The figures", 400, 401, 403),
  }),
  async (c) => c.json(await report(c, "platform", "", c.req.valid("query")), 200),
);

analyticsRoutes.openapi(
  route("GET /live-sessions", "The caller's live sessions, newest first, each with its figures over a range", {
    description:
      "A merchant (`analytics:read`): the sessions its store hosts; a creator: those it hosts; the operator: every session.",
    request: { query: rangeQuery.extend(pageQuery.shape).strict() },
    responses: ok(pageOf(SessionFiguresSchema), "A page of sessions", 400, 401, 403),
  }),
  async (c) => {
    const query = c.req.valid("query");
    const caller = analyticsCaller(c);
    const range = dayRange(query);
    const db = database(c.env);
    const after = decodeCursor(query.cursor);
    const host =
      caller.type === "merchant"
        ? { sql: "host_type = 'merchant' AND merchant_id = :host", id: caller.merchantId }
        : caller.type === "creator"
          ? { sql: "host_type = 'creator' AND creator_id = :host", id: caller.creatorId }
          : { sql: ":host = ''", id: "" };
    const sessions = await db.$client.execute({
      sql: `SELECT id, title, status, scheduled_start_at FROM live_sessions
            WHERE ${host.sql} AND (:after IS NULL OR id < :after) ORDER BY id DESC LIMIT :limit`,
      args: { host: host.id, after: after ?? null, limit: query.limit + 1 },
    });
    const rows = sessions.rows.map((r) => ({
      id: String(r.id),
      title: String(r.title),
      status: String(r.status),
      scheduledStartAt: String(r.scheduled_start_at),
    }));
    const totals = await readTotals(
      db.$client,
      "live_session",
      rows.map((r) => r.id),
      range,
      figuresLivemode(c, caller, query.mode),
    );
    const data = rows.flatMap((r) => {
      const figures = totals.get(r.id);
      return figures ? [{ ...r, object: "live_session_figures" as const, totals: figures }] : [];
    });
    c.header("cache-control", "private, no-store");
    return c.json(page(data, query.limit), 200);
  },
);
