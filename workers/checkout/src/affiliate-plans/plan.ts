// Affiliate plans: a merchant's offer of a commission rate on its products to every creator (`open`) or to named
// ones who accept (`targeted`). Which plan credits a sale is decided when the order is paid, by the plans as they
// stood at its checkout (shared/affiliates.ts, commissions/earn-commissions.ts); so a rate change adds a rate row
// from now on, and ending a plan sets `endsAt`, never rewriting what earlier sales earned.
import { z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { notify } from "#shared/notifications.ts";
import { idOf, resourceFields, setOf } from "#shared/openapi/schemas.ts";
import {
  affiliatePlanCreators,
  affiliatePlanProducts,
  affiliatePlanRates,
  affiliatePlans,
  creators,
  products,
} from "#shared/schema.ts";
import { webhookEvent } from "#shared/webhook-events.ts";
import { kickDispatchers } from "../webhooks/kick.ts";

/** A set of ids of one kind (a repeat is a 400 at its index), at most 100. */
const idSet = (prefix: string) => setOf(idOf(prefix)).min(1).max(100);

const instant = z.string().datetime({ offset: false }).openapi({ example: "2026-12-01T00:00:00.000Z" });
const rate = z.number().int().min(1).max(9_000).openapi({
  description: "Basis points of each credited line's paid amount (1 to 9000: 0.01% to 90%).",
  example: 2_000,
});

export const AffiliatePlanCreateSchema = z
  .object({
    type: z.enum(["open", "targeted"]).openapi({
      description:
        "`open`: any creator may promote the products; `targeted`: the named `creatorIds`, once each accepts.",
    }),
    creatorIds: idSet("cre")
      .optional()
      .openapi({ description: "A targeted plan's creators (required for it, refused for an open one)." }),
    productIds: idSet("prod")
      .optional()
      .openapi({ description: "The merchant's products in the plan; left out: all of them, now and later." }),
    commissionRateBps: rate,
    startsAt: instant
      .optional()
      .openapi({ description: "From when sales are credited under it; default (and at the earliest) now." }),
    endsAt: instant.optional().openapi({ description: "Until when; left out: until ended." }),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === "targeted" && p.creatorIds === undefined) {
      ctx.addIssue({ code: "custom", path: ["creatorIds"], message: "a targeted plan names its creators" });
    }
    if (p.type === "open" && p.creatorIds !== undefined) {
      ctx.addIssue({ code: "custom", path: ["creatorIds"], message: "an open plan names no creators" });
    }
    if (p.endsAt !== undefined && p.endsAt <= (p.startsAt ?? new Date().toISOString())) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt (and now)" });
    }
  })
  .openapi("AffiliatePlanCreate");

export const AffiliatePlanUpdateSchema = z
  .object({
    commissionRateBps: rate.optional().openapi({ description: "Applies to sales checked out from now on." }),
    endsAt: instant.nullable().optional().openapi({ description: "A later end, or null: until ended." }),
  })
  .strict()
  .openapi("AffiliatePlanUpdate");

const PlanCreatorSchema = z
  .object({
    creatorId: z.string(),
    status: z.enum(["invited", "accepted", "declined"]),
    decidedAt: z.string().nullable(),
  })
  .openapi("AffiliatePlanCreator");

export const AffiliatePlanSchema = z
  .object({
    ...resourceFields("affiliate_plan", "afp"),
    merchantId: z.string(),
    type: z.enum(["open", "targeted"]),
    productIds: z
      .array(z.string())
      .nullable()
      .openapi({ description: "null: every product of the merchant, now and later." }),
    creators: z.array(PlanCreatorSchema).openapi({
      description:
        "A targeted plan's creators and their answers (a creator sees its own only); empty for an open plan.",
    }),
    commissionRateBps: z.number().int().openapi({ description: "The rate now." }),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    status: z.enum(["scheduled", "running", "ended"]).openapi({ description: "Now." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("AffiliatePlan");

export type AffiliatePlan = z.infer<typeof AffiliatePlanSchema>;
type PlanRow = typeof affiliatePlans.$inferSelect;

/** Who reads plans: a merchant its own; a creator the open ones and those naming it. */
export type PlanViewer = { merchantId: string } | { creatorId: string };

const planNotFound = (id: string) => new ProblemError("not_found", `Affiliate plan ${id} does not exist.`);

function statusOf(row: PlanRow, now: string): AffiliatePlan["status"] {
  if (row.endsAt !== null && row.endsAt <= now) return "ended";
  return row.startsAt > now ? "scheduled" : "running";
}

/** SQL condition: the plan is one the viewer may see. */
function visibleTo(viewer: PlanViewer) {
  if ("merchantId" in viewer) return eq(affiliatePlans.merchantId, viewer.merchantId);
  return sql`(${affiliatePlans.type} = 'open' OR EXISTS (SELECT 1 FROM affiliate_plan_creators pc
    WHERE pc.plan_id = ${affiliatePlans.id} AND pc.creator_id = ${viewer.creatorId}))`;
}

/** The plans with their products, creators and current rates, as the viewer sees them. */
async function toPlans(db: Database, rows: PlanRow[], viewer: PlanViewer, now: string): Promise<AffiliatePlan[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [productRows, creatorRows, rateRows] = await db.batch([
    db.select().from(affiliatePlanProducts).where(inArray(affiliatePlanProducts.planId, ids)),
    db
      .select()
      .from(affiliatePlanCreators)
      .where(
        and(
          inArray(affiliatePlanCreators.planId, ids),
          "creatorId" in viewer ? eq(affiliatePlanCreators.creatorId, viewer.creatorId) : undefined,
        ),
      )
      .orderBy(affiliatePlanCreators.creatorId),
    db
      .select()
      .from(affiliatePlanRates)
      .where(inArray(affiliatePlanRates.planId, ids))
      .orderBy(affiliatePlanRates.effectiveAt),
  ]);
  return rows.map((row) => {
    // The rate now: the latest change at or before now, else (a scheduled plan) its first.
    const rates = rateRows.filter((r) => r.planId === row.id);
    const current = rates.filter((r) => r.effectiveAt <= now).at(-1) ?? rates[0];
    return {
      id: row.id,
      object: "affiliate_plan",
      merchantId: row.merchantId,
      type: row.type,
      productIds: row.allProducts
        ? null
        : productRows
            .filter((p) => p.planId === row.id)
            .map((p) => p.productId)
            .sort(),
      creators: creatorRows
        .filter((c) => c.planId === row.id)
        .map((c) => ({ creatorId: c.creatorId, status: c.status, decidedAt: c.decidedAt })),
      commissionRateBps: current?.rateBps ?? 0,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      status: statusOf(row, now),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  });
}

/** One plan the viewer may see, or a 404 (another merchant's, or a targeted plan not naming the creator). */
export async function planRow(db: Database, id: string, viewer: PlanViewer): Promise<PlanRow> {
  const [row] = await db
    .select()
    .from(affiliatePlans)
    .where(and(eq(affiliatePlans.id, id), visibleTo(viewer)));
  if (!row) throw planNotFound(id);
  return row;
}

export async function readPlan(db: Database, id: string, viewer: PlanViewer): Promise<AffiliatePlan> {
  const now = new Date().toISOString();
  const [plan] = await toPlans(db, [await planRow(db, id, viewer)], viewer, now);
  if (!plan) throw planNotFound(id);
  return plan;
}

export async function listPlans(
  db: Database,
  viewer: PlanViewer,
  query: { status?: AffiliatePlan["status"] | undefined; after?: string | undefined; limit: number },
): Promise<AffiliatePlan[]> {
  const now = new Date().toISOString();
  const byStatus =
    query.status === "ended"
      ? sql`${affiliatePlans.endsAt} <= ${now}`
      : query.status === "scheduled"
        ? sql`${affiliatePlans.startsAt} > ${now} AND (${affiliatePlans.endsAt} IS NULL OR ${affiliatePlans.endsAt} > ${now})`
        : query.status === "running"
          ? sql`${affiliatePlans.startsAt} <= ${now} AND (${affiliatePlans.endsAt} IS NULL OR ${affiliatePlans.endsAt} > ${now})`
          : undefined;
  const rows = await db
    .select()
    .from(affiliatePlans)
    .where(and(visibleTo(viewer), byStatus, query.after === undefined ? undefined : lt(affiliatePlans.id, query.after)))
    .orderBy(desc(affiliatePlans.id))
    .limit(query.limit);
  return toPlans(db, rows, viewer, now);
}

/** Each id of `ids` not found among `found`, as a 400 at its index under `field`. */
function unknownIds(field: string, ids: string[], found: Set<string>, what: string): void {
  const errors = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: `/${field}/${i}`, message: `not ${what}` }]));
  if (errors.length > 0) {
    throw new ProblemError("validation_failed", `Some ${field} are not ${what}.`, { errors });
  }
}

export async function createPlan(
  db: Database,
  merchantId: string,
  input: z.infer<typeof AffiliatePlanCreateSchema>,
  at: Date,
): Promise<AffiliatePlan> {
  const now = at.toISOString();
  const startsAt = input.startsAt !== undefined && input.startsAt > now ? input.startsAt : now;
  if (input.productIds) {
    const own = await db
      .select({ id: products.id })
      .from(products)
      .where(and(inArray(products.id, input.productIds), eq(products.merchantId, merchantId)));
    unknownIds("productIds", input.productIds, new Set(own.map((p) => p.id)), "products of yours");
  }
  if (input.creatorIds) {
    const known = await db.select({ id: creators.id }).from(creators).where(inArray(creators.id, input.creatorIds));
    unknownIds("creatorIds", input.creatorIds, new Set(known.map((c) => c.id)), "creators");
  }
  const id = newId("afp", at.getTime());
  const productRows = (input.productIds ?? []).map((productId) => ({ planId: id, productId }));
  const creatorRows = (input.creatorIds ?? []).map((creatorId) => ({ planId: id, creatorId, createdAt: now }));
  await db.batch([
    db.insert(affiliatePlans).values({
      id,
      merchantId,
      type: input.type,
      allProducts: input.productIds === undefined,
      startsAt,
      endsAt: input.endsAt ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    // The first rate holds from the start.
    db.insert(affiliatePlanRates).values({ planId: id, effectiveAt: startsAt, rateBps: input.commissionRateBps }),
    ...(productRows.length > 0 ? [db.insert(affiliatePlanProducts).values(productRows)] : []),
    ...(creatorRows.length > 0
      ? [
          db.insert(affiliatePlanCreators).values(creatorRows),
          // Each named creator finds the invitation in its inbox.
          notify(
            db,
            {
              kind: "affiliate_plan_invited",
              subjectId: id,
              title: "邀请合作 You are invited to an affiliate plan",
              body: `${input.commissionRateBps / 100}% commission on ${input.productIds ? `${input.productIds.length} product(s)` : "every product"} of the merchant; accept or decline it.`,
              link: `/v1/affiliate-plans/${id}`,
            },
            sql`SELECT creator_id AS person_id FROM affiliate_plan_creators WHERE plan_id = ${id}`,
            at,
          ),
        ]
      : []),
  ]);
  return readPlan(db, id, { merchantId });
}

function refuseEnded(row: PlanRow, now: string): void {
  if (statusOf(row, now) === "ended") {
    throw new ProblemError("conflict", `Affiliate plan ${row.id} has ended.`);
  }
}

export async function updatePlan(
  db: Database,
  merchantId: string,
  id: string,
  input: z.infer<typeof AffiliatePlanUpdateSchema>,
  at: Date,
): Promise<AffiliatePlan> {
  const now = at.toISOString();
  const row = await planRow(db, id, { merchantId });
  refuseEnded(row, now);
  // A new rate holds from now on (from the start, for a plan not yet running): sales before keep theirs.
  const effectiveAt = [row.startsAt, now].sort()[1] ?? now;
  if (input.endsAt !== undefined && input.endsAt !== null && input.endsAt <= effectiveAt) {
    throw new ProblemError("validation_failed", "endsAt must be after the start and now; to end it now, POST …/end.", {
      errors: [{ path: "/endsAt", message: "must be after startsAt and now" }],
    });
  }
  await db.batch([
    db
      .update(affiliatePlans)
      .set({ updatedAt: now, ...(input.endsAt !== undefined ? { endsAt: input.endsAt } : {}) })
      .where(eq(affiliatePlans.id, id)),
    ...(input.commissionRateBps === undefined
      ? []
      : [
          db
            .insert(affiliatePlanRates)
            .values({ planId: id, effectiveAt, rateBps: input.commissionRateBps })
            .onConflictDoUpdate({
              target: [affiliatePlanRates.planId, affiliatePlanRates.effectiveAt],
              set: { rateBps: input.commissionRateBps },
            }),
        ]),
  ]);
  return readPlan(db, id, { merchantId });
}

/** Ends the plan now (an ended plan stays as it is): sales checked out from now on are not credited under it. */
export async function endPlan(db: Database, merchantId: string, id: string, at: Date): Promise<AffiliatePlan> {
  const now = at.toISOString();
  await planRow(db, id, { merchantId });
  await db
    .update(affiliatePlans)
    .set({ endsAt: now, updatedAt: now })
    .where(
      and(eq(affiliatePlans.id, id), sql`(${affiliatePlans.endsAt} IS NULL OR ${affiliatePlans.endsAt} > ${now})`),
    );
  return readPlan(db, id, { merchantId });
}

/**
 * A named creator's answer. Accepting again is a no-op; declining an accepted plan, or answering an ended one, is a
 * 409. Accepting tells the merchant (`affiliate_plan.accepted`, in the same batch).
 */
export async function answerPlan(
  db: Database,
  creatorId: string,
  id: string,
  answer: "accepted" | "declined",
  at: Date,
): Promise<{ plan: AffiliatePlan; changed: boolean; merchantId: string }> {
  const now = at.toISOString();
  const row = await planRow(db, id, { creatorId });
  const [named] = await db
    .select()
    .from(affiliatePlanCreators)
    .where(and(eq(affiliatePlanCreators.planId, id), eq(affiliatePlanCreators.creatorId, creatorId)));
  if (!named) throw planNotFound(id);
  refuseEnded(row, now);
  if (named.status === answer)
    return { plan: await readPlan(db, id, { creatorId }), changed: false, merchantId: row.merchantId };
  if (named.status === "accepted") {
    throw new ProblemError("conflict", "This plan was accepted; the merchant may end it, or it ends on its own.");
  }
  // affiliate_plan.accepted, in the same batch, only if this update accepted it.
  const event =
    answer === "accepted"
      ? webhookEvent({
          type: "affiliate_plan.accepted",
          at,
          dedupeKey: `affiliate_plan.accepted:${id}:${creatorId}`,
          source: sql`SELECT json_object('id', p.id, 'object', 'affiliate_plan', 'merchantId', p.merchant_id,
              'type', p.type, 'creatorId', pc.creator_id, 'status', pc.status, 'decidedAt', pc.decided_at) AS data,
              NULL AS sequence
            FROM affiliate_plans p JOIN affiliate_plan_creators pc ON pc.plan_id = p.id
            WHERE p.id = ${id} AND pc.creator_id = ${creatorId} AND pc.status = 'accepted' AND pc.decided_at = ${now}`,
          merchants: sql`SELECT ${row.merchantId} AS merchant_id`,
        })
      : [];
  const [updated, ...results] = await db.batch([
    db
      .update(affiliatePlanCreators)
      .set({ status: answer, decidedAt: now })
      .where(
        and(
          eq(affiliatePlanCreators.planId, id),
          eq(affiliatePlanCreators.creatorId, creatorId),
          eq(affiliatePlanCreators.status, named.status),
        ),
      )
      .returning({ status: affiliatePlanCreators.status }),
    ...event.map((statement) => db.run(statement)),
  ]);
  kickDispatchers(results);
  return { plan: await readPlan(db, id, { creatorId }), changed: updated.length > 0, merchantId: row.merchantId };
}
