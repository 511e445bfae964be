// Ranking weights: text relevance first, business signals (sales, engagement, followers, recency, live) after, each
// squashed into [0, 1) by x / (x + half) so SQL needs no math functions. The operator changes them with
// PUT /v1/search/settings; what is not set takes the default below.
// Design: docs/design/search-index.md#ranking
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Database } from "#shared/db.ts";
import { searchSettings } from "#shared/schema.ts";

const weight = z.number().min(0).max(1000);
const half = z.number().gt(0).max(1_000_000_000);

export const RankingSchema = z
  .object({
    text: weight.openapi({
      description:
        "Per unit of text score, summed over the query's terms: a term scores 3.5 in the body, 1.7× that in the title (synonyms 0.8×, Chinese pieces and typo corrections 0.5×).",
    }),
    phrase: weight.openapi({ description: "When the title contains the whole query." }),
    sales: weight,
    salesHalf: half.openapi({ description: "Units sold in 30 days at which the sales signal is 0.5." }),
    engagement: weight,
    engagementHalf: half.openapi({ description: "Likes + saves at which the engagement signal is 0.5." }),
    followers: weight,
    followersHalf: half,
    recency: weight,
    recencyHalfLifeDays: half.openapi({ description: "Age in days at which the recency signal is 0.5." }),
    live: weight.openapi({ description: "For a live session on air, or a product on the shelf of one." }),
  })
  .strict()
  .openapi("SearchRanking");

export type Ranking = z.infer<typeof RankingSchema>;

export const defaultRanking: Ranking = {
  text: 1,
  phrase: 2,
  sales: 1,
  salesHalf: 50,
  engagement: 1,
  engagementHalf: 1000,
  followers: 0.5,
  followersHalf: 10_000,
  recency: 0.5,
  recencyHalfLifeDays: 30,
  live: 1,
};

export const RANKING_SETTING = "ranking";

/** The weights in force: the operator's, over the defaults (a stored value that no longer validates is ignored). */
export function rankingFrom(stored: unknown): Ranking {
  const parsed = RankingSchema.partial().safeParse(stored ?? {});
  return { ...defaultRanking, ...(parsed.success ? parsed.data : {}) };
}

export async function loadRanking(db: Database): Promise<Ranking> {
  const row = await db.query.searchSettings.findFirst({ where: eq(searchSettings.name, RANKING_SETTING) });
  return rankingFrom(row?.value);
}
