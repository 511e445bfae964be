// Spend-and-save rules (满减): a merchant's, over all its products, or a campaign's (the operator's), over the
// campaign's participating products. "every 300 off 50" is kind `every` with one tier; "over 200 off 20, over 500
// off 60" is kind `tiered`. Which rule applies to an order, and how, is promotions/stack.ts.
import { z } from "@hono/zod-openapi";
import type { Database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { currencies, money } from "#shared/money.ts";
import { MoneySchema, resourceFields } from "#shared/openapi/schemas.ts";
import { spendSaveRules } from "#shared/schema.ts";
import { campaignIdField, promotionColumns, requireCampaign } from "./issuer.ts";

const instant = z.string().datetime({ offset: false });
const amount = z.number().int().min(1).max(1_000_000_000);

export const SpendSaveCreateSchema = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: "每满300减50" }),
    kind: z.enum(["every", "tiered"]),
    currency: z.enum(currencies),
    tiers: z
      .array(z.object({ threshold: amount, off: amount }).strict())
      .min(1)
      .max(10)
      .openapi({ description: "Minor units. kind every: exactly one tier. tiered: thresholds increasing." }),
    startsAt: instant,
    endsAt: instant,
    campaignId: campaignIdField.openapi({
      description: "Operator only, and required then: the campaign whose products it covers.",
    }),
  })
  .strict()
  .superRefine((input, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (input.kind === "every" && input.tiers.length !== 1) issue(["tiers"], "kind every has exactly one tier");
    input.tiers.forEach((tier, i) => {
      if (tier.off >= tier.threshold) issue(["tiers", i, "off"], "must be less than its threshold");
      const before = input.tiers[i - 1];
      if (before && (tier.threshold <= before.threshold || tier.off <= before.off)) {
        issue(["tiers", i, "threshold"], "tiers must increase in threshold and saving");
      }
    });
    if (input.endsAt <= input.startsAt) issue(["endsAt"], "must be after startsAt");
  })
  .openapi("SpendSaveCreate");

export const SpendSaveSchema = z
  .object({
    ...resourceFields("spend_and_save"),
    merchantId: z.string().nullable(),
    campaignId: z.string().nullable(),
    name: z.string(),
    kind: z.enum(["every", "tiered"]),
    tiers: z.array(z.object({ threshold: MoneySchema, off: MoneySchema })),
    startsAt: z.string(),
    endsAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("SpendAndSave");

export type SpendSave = z.infer<typeof SpendSaveSchema>;
type Row = typeof spendSaveRules.$inferSelect;

export function toSpendSave(row: Row): SpendSave {
  return {
    id: row.id,
    object: "spend_and_save",
    merchantId: row.merchantId,
    campaignId: row.campaignId,
    name: row.name,
    kind: row.kind,
    tiers: row.tiers.map((t) => ({ threshold: money(t.threshold, row.currency), off: money(t.off, row.currency) })),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    createdAt: row.createdAt,
  };
}

/** A merchant's rule (merchantId) or the operator's for a campaign (merchantId null, campaignId required). */
export async function createSpendSave(
  db: Database,
  merchantId: string | null,
  input: z.infer<typeof SpendSaveCreateSchema>,
): Promise<Row> {
  if (merchantId !== null && input.campaignId !== undefined) {
    throw new ProblemError("forbidden", "Campaign-wide spend-and-save is the operator's; yours covers your products.", {
      errors: [{ path: "/campaignId", message: "operator only" }],
    });
  }
  if (merchantId === null) {
    await requireCampaign(db, input.campaignId, "The operator's spend-and-save belongs to an existing campaign.");
  }
  const [row] = await db
    .insert(spendSaveRules)
    .values({
      id: newId("sav"),
      ...promotionColumns(merchantId, input),
      kind: input.kind,
      tiers: input.tiers,
    })
    .returning();
  if (!row) throw new Error("spend-and-save rule missing after insert");
  return row;
}
