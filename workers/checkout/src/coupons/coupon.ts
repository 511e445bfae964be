// Coupons: issued by a merchant (its products, merchant-funded) or the operator (every merchant, platform-funded),
// claimed by shoppers, applied at checkout. ONE batch claims: it counts the claim only while the coupon is under
// `quantity` and the shopper under `perShopperLimit`, so simultaneous claims never take more than were issued.
// Design: docs/design/promotions.md
import { z } from "@hono/zod-openapi";
import { and, eq, gt } from "drizzle-orm";
import { decodeAttribution, resolveAttribution } from "#shared/attribution.ts";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { currencies, money } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { coupons } from "#shared/schema.ts";
import { campaignIdField, promotionColumns, requireCampaign } from "../promotions/issuer.ts";

const instant = z.string().datetime({ offset: false }).openapi({ example: "2026-11-11T00:00:00.000Z" });
const positiveMoney = z.object({ amount: z.number().int().min(1).max(1_000_000_000), currency: z.enum(currencies) });

export const CouponCreateSchema = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: "满299减30" }),
    kind: z.enum(["fixed", "percent"]),
    amountOff: positiveMoney.optional().openapi({ description: "kind fixed: the amount off." }),
    percentOff: z.number().int().min(1).max(99).optional().openapi({ description: "kind percent: 1 to 99." }),
    maxOff: positiveMoney.optional().openapi({ description: "kind percent: at most this off." }),
    minSpend: z
      .object({ amount: z.number().int().min(0).max(1_000_000_000), currency: z.enum(currencies) })
      .optional()
      .openapi({ description: "What the items it covers must cost, after earlier discounts. Default 0." }),
    currency: z.enum(currencies),
    startsAt: instant,
    endsAt: instant,
    quantity: z.number().int().min(1).max(10_000_000).openapi({ description: "How many may be claimed in all." }),
    perShopperLimit: z.number().int().min(1).max(100).default(1),
    audience: z
      .object({
        type: z.enum(["live_viewers", "note_readers"]),
        id: z.string().regex(/^(live|note)_[0-9A-Za-z]{1,64}$/),
      })
      .optional()
      .openapi({
        description:
          "Only a live session's viewers or a note's readers may claim it: they prove it with the attribution reference of a product link from that session or note.",
      }),
    campaignId: campaignIdField.openapi({
      description: "Only the campaign's participating products count toward it and take it off.",
    }),
  })
  .strict()
  .superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (input.kind === "fixed" && !input.amountOff) issue("amountOff", "required for kind fixed");
    if (input.kind === "fixed" && (input.percentOff !== undefined || input.maxOff))
      issue("kind", "a fixed coupon has amountOff only");
    if (input.kind === "percent" && input.percentOff === undefined) issue("percentOff", "required for kind percent");
    if (input.kind === "percent" && input.amountOff) issue("amountOff", "a percent coupon has percentOff");
    for (const field of ["amountOff", "maxOff", "minSpend"] as const) {
      const money = input[field];
      if (money && money.currency !== input.currency) issue(field, `must be in ${input.currency}`);
    }
    if (input.endsAt <= input.startsAt) issue("endsAt", "must be after startsAt");
  })
  .openapi("CouponCreate");

export type CouponCreate = z.infer<typeof CouponCreateSchema>;

export const CouponSchema = z
  .object({
    ...resourceFields("coupon"),
    merchantId: z
      .string()
      .nullable()
      .openapi({ description: "null: the operator's, platform-wide and platform-funded." }),
    campaignId: z.string().nullable(),
    name: z.string(),
    kind: z.enum(["fixed", "percent"]),
    amountOff: MoneySchema.nullable(),
    percentOff: z.number().int().nullable(),
    maxOff: MoneySchema.nullable(),
    minSpend: MoneySchema,
    startsAt: z.string(),
    endsAt: z.string(),
    quantity: z.number().int(),
    claimed: z.number().int(),
    remaining: z.number().int(),
    perShopperLimit: z.number().int(),
    audience: z.object({ type: z.enum(["everyone", "live_viewers", "note_readers"]), id: z.string().nullable() }),
    fundedBy: z.enum(["merchant", "platform"]),
    createdAt: z.string(),
  })
  .openapi("Coupon");

export type Coupon = z.infer<typeof CouponSchema>;
type CouponRow = typeof coupons.$inferSelect;

export function toCoupon(row: CouponRow): Coupon {
  const m = (amount: number | null) => (amount === null ? null : money(amount, row.currency));
  return {
    id: row.id,
    object: "coupon",
    merchantId: row.merchantId,
    campaignId: row.campaignId,
    name: row.name,
    kind: row.kind,
    amountOff: m(row.amountOff),
    percentOff: row.percentOff,
    maxOff: m(row.maxOff),
    minSpend: money(row.minSpend, row.currency),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    quantity: row.quantity,
    claimed: row.claimed,
    remaining: row.quantity - row.claimed,
    perShopperLimit: row.perShopperLimit,
    audience: { type: row.audience, id: row.audienceId },
    fundedBy: row.merchantId === null ? "platform" : "merchant",
    createdAt: row.createdAt,
  };
}

export async function createCoupon(db: Database, merchantId: string | null, input: CouponCreate): Promise<CouponRow> {
  if (input.campaignId !== undefined) {
    await requireCampaign(db, input.campaignId, `Campaign ${input.campaignId} does not exist.`);
  }
  if (input.audience && !input.audience.id.startsWith(input.audience.type === "live_viewers" ? "live_" : "note_")) {
    throw new ProblemError(
      "validation_failed",
      "The audience id must name a live session or a note as its type says.",
      {
        errors: [{ path: "/audience/id", message: "does not match the audience type" }],
      },
    );
  }
  const [row] = await db
    .insert(coupons)
    .values({
      id: newId("cpn"),
      ...promotionColumns(merchantId, input),
      kind: input.kind,
      amountOff: input.amountOff?.amount ?? null,
      percentOff: input.percentOff ?? null,
      maxOff: input.maxOff?.amount ?? null,
      minSpend: input.minSpend?.amount ?? 0,
      quantity: input.quantity,
      perShopperLimit: input.perShopperLimit,
      audience: input.audience?.type ?? "everyone",
      audienceId: input.audience?.id ?? null,
    })
    .returning();
  if (!row) throw new Error("coupon missing after insert");
  return row;
}

export const ClaimSchema = z
  .object({
    object: z.literal("coupon_claim"),
    couponId: z.string(),
    seq: z.number().int().openapi({ description: "Your n-th claim of this coupon." }),
    claimedAt: z.string(),
    orderId: z.string().nullable().openapi({ description: "The order that used it; null while unused." }),
    coupon: CouponSchema,
  })
  .openapi("CouponClaim");

export type Claim = z.infer<typeof ClaimSchema>;

/** A coupon's row, or 404. */
export async function couponRow(db: Database, couponId: string): Promise<CouponRow> {
  const row = await db.query.coupons.findFirst({ where: eq(coupons.id, couponId) });
  if (!row) throw new ProblemError("not_found", `Coupon ${couponId} does not exist.`);
  return row;
}

/**
 * Ends the issuer's coupon now (`issuerId` null: the operator's): its `endsAt` becomes now, so from then on it is
 * neither claimed nor used at checkout (`coupon_expired`); orders already placed keep it. One conditional UPDATE,
 * so ending an ended coupon changes nothing and answers the same. Another issuer's coupon is a 404.
 */
export async function endCoupon(db: Database, issuerId: string | null, couponId: string, now: Date) {
  const coupon = await couponRow(db, couponId);
  if (coupon.merchantId !== issuerId) throw new ProblemError("not_found", `Coupon ${couponId} does not exist.`);
  const at = now.toISOString();
  const [ended] = await db
    .update(coupons)
    .set({ endsAt: at })
    .where(and(eq(coupons.id, couponId), gt(coupons.endsAt, at)))
    .returning();
  return ended ?? (await couponRow(db, couponId));
}

/** Whether the shopper saw the session or note the coupon is for: a product link's reference from it that holds. */
async function checkAudience(db: Database, coupon: CouponRow, attribution: string | undefined): Promise<void> {
  if (coupon.audience === "everyone") return;
  const where = coupon.audience === "live_viewers" ? "live session" : "note";
  if (attribution !== undefined) {
    const decoded = decodeAttribution(attribution);
    if (decoded.ok) {
      const a = decoded.attribution;
      const named = coupon.audience === "live_viewers" ? a.liveSessionId : a.noteId;
      if (named === coupon.audienceId && (await resolveAttribution(db, attribution, a.productId)).ok) return;
    }
  }
  throw new ProblemError(
    "coupon_not_applicable",
    `Coupon ${coupon.id} is for the ${where} ${coupon.audienceId}'s audience.`,
    {
      errors: [{ path: "/attribution", message: `a product link reference from ${where} ${coupon.audienceId}` }],
    },
  );
}

/** One claim of the coupon for `ownerId`, or the problem saying why not (nothing claimed). */
export async function claimCoupon(input: {
  db: Database;
  couponId: string;
  ownerId: string;
  attribution: string | undefined;
  now: Date;
}): Promise<Claim> {
  const { db, couponId, ownerId } = input;
  const coupon = await couponRow(db, couponId);
  await checkAudience(db, coupon, input.attribution);
  const at = input.now.toISOString();
  const args = { id: couponId, owner: ownerId, at };
  const mine = "(SELECT count(*) FROM coupon_claims WHERE coupon_id = :id AND owner_id = :owner)";
  const results = await db.$client.batch(
    [
      {
        sql: `UPDATE coupons SET claimed = claimed + 1
              WHERE id = :id AND claimed < quantity AND starts_at <= :at AND ends_at > :at
              AND ${mine} < per_shopper_limit`,
        args,
      },
      {
        sql: `INSERT INTO coupon_claims (coupon_id, owner_id, seq, claimed_at)
              SELECT :id, :owner, ${mine} + 1, :at WHERE changes() = 1`,
        args,
      },
      { sql: `SELECT c.claimed, c.quantity, ${mine} AS mine FROM coupons c WHERE c.id = :id`, args },
    ],
    "write",
  );
  const state = results[2]?.rows[0];
  const claimed = Number(state?.claimed ?? 0);
  const seq = Number(state?.mine ?? 0);
  if ((results[1]?.rowsAffected ?? 0) === 0) {
    // Ended first: a coupon ended before its start is ended, not "not yet valid".
    if (at >= coupon.endsAt) throw new ProblemError("coupon_expired", `Coupon ${couponId} ended at ${coupon.endsAt}.`);
    if (at < coupon.startsAt) {
      throw new ProblemError("coupon_not_applicable", `Coupon ${couponId} may be claimed from ${coupon.startsAt}.`);
    }
    if (seq >= coupon.perShopperLimit) {
      throw new ProblemError(
        "coupon_limit_exceeded",
        `You have claimed coupon ${couponId} ${seq} time(s), its limit per shopper.`,
      );
    }
    throw new ProblemError("coupon_exhausted", `All ${coupon.quantity} of coupon ${couponId} have been claimed.`);
  }
  return {
    object: "coupon_claim",
    couponId,
    seq,
    claimedAt: at,
    orderId: null,
    coupon: toCoupon({ ...coupon, claimed }),
  };
}
