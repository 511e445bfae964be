// Who issues a promotion (a coupon, a spend-and-save rule): the operator for the platform's, or a merchant with
// `promotions:write` for its own; and the columns every promotion row takes from its issuer and its create body.
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import type { Currency } from "#shared/money.ts";
import { checkFirst, principalOf, requireMerchant } from "#shared/principal.ts";
import { campaigns } from "#shared/schema.ts";

/** The operator (null: the platform's) or a merchant with `promotions:write`. */
export function issuer(c: Context): string | null {
  if (principalOf(c).actor.type === "operator") return null;
  return requireMerchant(c, "promotions:write").merchantId;
}

/** Middleware: refuses a caller that issues no promotions before its input is read. */
export const issuersOnly = checkFirst(issuer);

/** A create body's `campaignId`: the campaign a promotion belongs to (its `description` says when it may be given). */
export const campaignIdField = z
  .string()
  .regex(/^cmp_[0-9A-Za-z]{1,64}$/)
  .optional();

/**
 * The campaign a new promotion names, or 400 at /campaignId (`title` says what was missing). `undefined` counts as
 * missing: call it only where a campaign is required.
 */
export async function requireCampaign(db: Database, campaignId: string | undefined, title: string): Promise<void> {
  const campaign = campaignId ? await db.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) }) : undefined;
  if (!campaign) {
    throw new ProblemError("validation_failed", title, {
      errors: [{ path: "/campaignId", message: "no such campaign" }],
    });
  }
}

/** A promotion row's issuer, campaign, name and period (the discount columns every promotion table has). */
export function promotionColumns(
  merchantId: string | null,
  input: { campaignId?: string | undefined; name: string; currency: Currency; startsAt: string; endsAt: string },
) {
  const { name, currency, startsAt, endsAt } = input;
  return { merchantId, campaignId: input.campaignId ?? null, name, currency, startsAt, endsAt };
}
