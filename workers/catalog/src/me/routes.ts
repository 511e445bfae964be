// /v1/me: what the signed-in shopper's or creator's interest profile holds (the discover feed learns it), and a
// reset. Only its owner reads it: nothing here takes another person's id, and merchants see aggregates only.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter, privateCache } from "#shared/http.ts";
import { type InterestKind, interestKinds, type Signal, signalWeights, weightAt } from "#shared/interests.ts";
import { noContent, ok } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { personId, requirePerson } from "#shared/principal.ts";
import { textOrNull } from "#shared/rows.ts";
import { personOnly } from "../notes/note.ts";

const PER_KIND = 10;

const InterestSchema = z
  .object({
    key: z.string().openapi({ description: "The topic or category (lower case), or the creator's or merchant's id." }),
    name: z
      .string()
      .nullable()
      .openapi({ description: "The creator's or merchant's name; null for topics and categories." }),
    weight: z.number().openapi({ description: "Relative to the strongest of its kind (1), as it stands now." }),
    why: z.string().openapi({ description: "The signals it was learnt from, e.g. `liked 3 notes, viewed 5`." }),
    signals: z.record(z.string(), z.number().int()),
  })
  .openapi("Interest");

const InterestsSchema = z
  .object({
    topics: z.array(InterestSchema),
    categories: z.array(InterestSchema),
    creators: z.array(InterestSchema),
    merchants: z.array(InterestSchema),
    hidden: z
      .array(z.object({ kind: z.enum(interestKinds), key: z.string() }))
      .openapi({ description: "What you said you are not interested in, pushed down or hidden for now." }),
  })
  .openapi("Interests");

const getRoute = route("GET /interests", "What your discover feed has learnt about you", {
  description:
    "A signed-in shopper or creator: the strongest topics, categories, creators and merchants, each with why.",
  responses: ok(InterestsSchema, "Your interests", 401),
});

const deleteRoute = route("DELETE /interests", "Forget your interests", {
  description:
    "A signed-in shopper or creator: the profile and the recently seen notes are erased; discover starts again from what is popular. Repeating it is harmless.",
  responses: noContent("Forgotten", 401),
});

const phrases: Record<Signal, (n: number) => string> = {
  view: (n) => `viewed ${n}`,
  like: (n) => `liked ${n} ${n === 1 ? "note" : "notes"}`,
  save: (n) => `saved ${n}`,
  comment: (n) => `commented on ${n}`,
  follow: () => "you follow them",
  search: (n) => `searched for it ${n === 1 ? "once" : `${n} times`}`,
  cart: (n) => `added to cart ${n === 1 ? "once" : `${n} times`}`,
  order: (n) => `ordered ${n === 1 ? "once" : `${n} times`}`,
  not_interested: () => "marked not interested",
};

function why(signals: Record<string, number>): string {
  const parts = Object.entries(signals)
    .filter(([s, n]) => s in phrases && n > 0)
    // What contributed most first.
    .sort(([s1, a], [s2, b]) => b * Math.abs(signalWeights[s2 as Signal]) - a * Math.abs(signalWeights[s1 as Signal]))
    .map(([s, n]) => phrases[s as Signal](n));
  return parts.join(", ");
}

export const meRoutes = createRouter<{ Bindings: Env }>();

meRoutes.use(personOnly);
meRoutes.use(privateCache);

meRoutes.openapi(getRoute, async (c) => {
  const profileId = personId(requirePerson(c));
  const top = (kind: InterestKind, names = "NULL") =>
    `SELECT * FROM (SELECT i.kind, i.key, i.weight, i.signals, ${names} AS name FROM interests i
       WHERE i.profile_id = :p AND i.kind = '${kind}' AND i.weight > 0 ORDER BY i.weight DESC LIMIT ${PER_KIND})`;
  const [rows, hidden] = await database(c.env).$client.batch(
    [
      {
        sql: [
          top("topic"),
          top("category"),
          top("creator", "(SELECT name FROM creators WHERE id = i.key)"),
          top("merchant", "(SELECT name FROM merchants WHERE id = i.key)"),
        ].join(" UNION ALL "),
        args: { p: profileId },
      },
      {
        sql: "SELECT kind, key FROM interests WHERE profile_id = ? AND weight < 0 ORDER BY weight LIMIT 50",
        args: [profileId],
      },
    ],
    "read",
  );
  const nowMs = Date.now();
  const out = { topics: [], categories: [], creators: [], merchants: [] } as Record<
    "topics" | "categories" | "creators" | "merchants",
    z.infer<typeof InterestSchema>[]
  >;
  const listOf = { topic: out.topics, category: out.categories, creator: out.creators, merchant: out.merchants };
  for (const r of rows?.rows ?? []) {
    const list = listOf[String(r.kind) as InterestKind];
    const signals = JSON.parse(String(r.signals)) as Record<string, number>;
    list.push({
      key: String(r.key),
      name: textOrNull(r.name),
      weight: weightAt(Number(r.weight), nowMs),
      why: why(signals),
      signals,
    });
  }
  for (const list of Object.values(listOf)) {
    const top = list[0]?.weight ?? 1;
    for (const item of list) item.weight = Math.round((item.weight / top) * 1000) / 1000;
  }
  return c.json(
    {
      ...out,
      hidden: (hidden?.rows ?? []).map((r) => ({ kind: String(r.kind) as InterestKind, key: String(r.key) })),
    },
    200,
  );
});

meRoutes.openapi(deleteRoute, async (c) => {
  const profileId = personId(requirePerson(c));
  await database(c.env).$client.batch(
    [
      { sql: "DELETE FROM interests WHERE profile_id = ?", args: [profileId] },
      { sql: "DELETE FROM feed_seen WHERE profile_id = ?", args: [profileId] },
    ],
    "write",
  );
  return c.body(null, 204);
});
