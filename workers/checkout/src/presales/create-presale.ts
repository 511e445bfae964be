// createPresale: a merchant puts its own SKU on pre-sale. Nothing moves out of stock yet: each order takes its
// units from the SKU's stock when it is placed (presales/place-presale-order.ts), so no allotment is stranded when
// the pre-sale ends. The balance window is given, or defaults to the campaign's main day (its start to its end).
import { eq } from "drizzle-orm";
import { ProblemError } from "#shared/errors.ts";
import { newId } from "#shared/ids.ts";
import { campaigns, presales, products, skus } from "#shared/schema.ts";
import { type MerchantCreate, ownSku } from "../flash-sales/create-flash-sale.ts";
import type { PresaleCreate } from "./presale.ts";

export async function createPresale({
  db,
  merchantId,
  input,
  now,
}: MerchantCreate<PresaleCreate>): Promise<typeof presales.$inferSelect> {
  const [skuRows, campaignRows] = await db.batch([
    db
      .select({ id: skus.id, currency: skus.currency, merchantId: products.merchantId })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .where(eq(skus.id, input.skuId)),
    db
      .select()
      .from(campaigns)
      .where(eq(campaigns.id, input.campaignId ?? "")),
  ]);
  const sku = ownSku(skuRows[0], merchantId, input.skuId);
  if (sku.currency !== input.price.currency) {
    throw new ProblemError(
      "validation_failed",
      `The pre-sale's amounts must be in the SKU's currency, ${sku.currency}.`,
      {
        errors: [{ path: "/price/currency", message: `must be ${sku.currency}` }],
      },
    );
  }
  const campaign = campaignRows[0];
  if (input.campaignId !== undefined && !campaign) {
    throw new ProblemError("validation_failed", `Campaign ${input.campaignId} does not exist.`, {
      errors: [{ path: "/campaignId", message: "no such campaign" }],
    });
  }
  const balanceStartsAt = input.balanceStartsAt ?? campaign?.mainStartsAt;
  const balanceEndsAt = input.balanceEndsAt ?? campaign?.endsAt;
  const invalid = (path: string, message: string) =>
    new ProblemError("validation_failed", `${path.slice(1)} ${message}.`, { errors: [{ path, message }] });
  if (balanceStartsAt === undefined) throw invalid("/balanceStartsAt", "is required without a campaignId");
  if (balanceEndsAt === undefined) throw invalid("/balanceEndsAt", "is required without a campaignId");
  if (input.depositEndsAt <= now.toISOString()) throw invalid("/depositEndsAt", "must be in the future");
  if (balanceStartsAt < input.depositEndsAt) throw invalid("/balanceStartsAt", "must not be before depositEndsAt");
  if (balanceEndsAt <= balanceStartsAt) throw invalid("/balanceEndsAt", "must be after balanceStartsAt");

  const [row] = await db
    .insert(presales)
    .values({
      id: newId("pre", now.getTime()),
      merchantId,
      skuId: sku.id,
      campaignId: input.campaignId ?? null,
      quantity: input.quantity,
      priceAmount: input.price.amount,
      depositAmount: input.deposit.amount,
      deductionAmount: input.deduction.amount,
      currency: input.price.currency,
      perShopperLimit: input.perShopperLimit,
      depositStartsAt: input.depositStartsAt,
      depositEndsAt: input.depositEndsAt,
      balanceStartsAt,
      balanceEndsAt,
      createdAt: now.toISOString(),
    })
    .returning();
  if (!row) throw new Error("presale insert returned nothing");
  return row;
}
