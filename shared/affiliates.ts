// Which affiliate plan credits a creator's sale, as SQL the checkout Worker (crediting a paid order) and the gateway
// (showcases) share. At time `at`, for a product of a merchant: an accepted, running targeted plan naming the
// creator, else a running open plan; within each the highest rate then the newest plan. No plan: the caller falls
// back to the shelf's, product's or merchant's rate. Plans, rates and answers are kept by time
// (shared/schema/affiliates.ts), so a sale is judged by the plans as they stood when it was made.

/** SQL expressions of the query's own columns or parameters (never user text). */
export interface PlanContext {
  creator: string;
  product: string;
  merchant: string;
  at: string;
}

/** SQL: the rate of plan `plan` at time `at` (the latest change at or before it). */
export const planRateSql = (plan: string, at: string) =>
  `(SELECT afpra.rate_bps FROM affiliate_plan_rates afpra WHERE afpra.plan_id = ${plan} AND afpra.effective_at <= ${at}
    ORDER BY afpra.effective_at DESC LIMIT 1)`;

/**
 * SQL condition on plan alias `afp`: it covers the product, runs at `at`, and is open or accepted by the creator by
 * then. (Every alias here starts with `afp`, so it never hides a caller's own `p` or `r`.)
 */
export function planAppliesSql({ creator, product, merchant, at }: PlanContext): string {
  return `afp.merchant_id = ${merchant} AND afp.starts_at <= ${at} AND (afp.ends_at IS NULL OR afp.ends_at > ${at})
    AND (afp.all_products = 1 OR EXISTS (SELECT 1 FROM affiliate_plan_products afpp
                                       WHERE afpp.plan_id = afp.id AND afpp.product_id = ${product}))
    AND (afp.type = 'open' OR EXISTS (SELECT 1 FROM affiliate_plan_creators afpc
                                    WHERE afpc.plan_id = afp.id AND afpc.creator_id = ${creator}
                                      AND afpc.status = 'accepted' AND afpc.decided_at <= ${at}))`;
}

/**
 * SQL: the id of the plan that credits the sale, or NULL. (The best as the max of a sortable key, targeted flag then
 * four-digit rate then id, since SQLite does not let an ORDER BY reach the outer query's columns from here.)
 */
export function bestPlanSql(context: PlanContext): string {
  return `(SELECT substr(max(printf('%d%04d', afp.type = 'targeted', ${planRateSql("afp.id", context.at)}) || afp.id), 6)
    FROM affiliate_plans afp WHERE ${planAppliesSql(context)})`;
}

/**
 * SQL condition: the creator may promote the product under some plan now or later (a showcase may keep it): a plan
 * not ended that covers it, open, or targeted and accepted by the creator.
 */
export function promotableSql({ creator, product, at }: Omit<PlanContext, "merchant">): string {
  return `EXISTS (SELECT 1 FROM affiliate_plans afp JOIN products afpr ON afpr.id = ${product} AND afpr.merchant_id = afp.merchant_id
    WHERE (afp.ends_at IS NULL OR afp.ends_at > ${at})
      AND (afp.all_products = 1 OR EXISTS (SELECT 1 FROM affiliate_plan_products afpp
                                         WHERE afpp.plan_id = afp.id AND afpp.product_id = ${product}))
      AND (afp.type = 'open' OR EXISTS (SELECT 1 FROM affiliate_plan_creators afpc
                                      WHERE afpc.plan_id = afp.id AND afpc.creator_id = ${creator}
                                        AND afpc.status = 'accepted')))`;
}
