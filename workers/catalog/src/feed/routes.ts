// GET /v1/feed?type=following|discover: live sessions on air first (a live badge), then notes. `following` needs a
// signed-in shopper or creator and is private; `discover` is personal (private) for a caller with an interest
// profile (a person, or a storefront guest's visitorId), otherwise the global ranking, public and cached briefly.
// POST /v1/feed/feedback: "not interested" in a note, applied before it answers.
import { z } from "@hono/zod-openapi";
import { etag as bodyEtag } from "hono/etag";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { noteSignalStatements, profileIdOf, signalWeights } from "#shared/interests.ts";
import { jsonBody, noContent, okOrNotModified } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { idOf } from "#shared/openapi/schemas.ts";
import { pageQuery } from "#shared/pagination.ts";
import { checkFirst, customerOf, personId, principalOf, requirePerson } from "#shared/principal.ts";
import { NoteSummarySchema } from "../notes/note.ts";
import { visitorIdSchema } from "../notes/routes.ts";
import { discoverFeed, followingFeed, LiveCardSchema, liveCards } from "./list.ts";
import { isPersonalCursor, personalFeed } from "./personal.ts";

const visitorId = visitorIdSchema.optional().openapi({
  description:
    "For a storefront's guest (no person signed in): the same anonymous id its view beacons send, so discover learns from them. Ignored for a signed-in person.",
});

const FeedQuery = pageQuery
  .extend({
    type: z.enum(["following", "discover"]).default("discover").openapi({
      description:
        "following: creators you follow, newest first; discover: for a caller with an interest profile, their personalised feed, otherwise ranked by engagement and age (docs/guides/personalised-feed.md).",
    }),
    topic: z
      .string()
      .trim()
      .regex(/^#?[\p{L}\p{N}_]{1,30}$/u, "a topic, optionally after #")
      .transform((t) => t.replace(/^#/, ""))
      .optional()
      .openapi({ description: "Only notes with this topic (case-insensitive)." }),
    visitorId,
    // A personal feed's cursor carries the notes this scroll has shown (personal.ts).
    cursor: z.string().max(1500).optional().openapi({ description: "The `nextCursor` of the previous page." }),
  })
  .strict();

const FeedSchema = z
  .object({
    live: z.array(LiveCardSchema).openapi({ description: "Live now, on the first page only (empty after)." }),
    data: z.array(NoteSummarySchema),
    nextCursor: z.string().nullable(),
  })
  .openapi("Feed");

const getFeed = route("GET /", "The feed: live sessions, then notes", {
  request: { query: FeedQuery },
  responses: okOrNotModified(FeedSchema, "A page of the feed", 400, 401),
});

const FeedbackSchema = z
  .object({
    noteId: idOf("note"),
    signal: z.literal("not_interested"),
    visitorId,
  })
  .strict()
  .openapi("FeedFeedback");

const feedbackRoute = route("POST /feedback", "Tell the discover feed you are not interested in a note", {
  caller: checkFirst(customerOf),
  description:
    "A signed-in shopper or creator, or a storefront's guest with `visitorId`. The note's creator is hidden from your discover feed and its topics pushed down, from the next page on; repeating it is harmless.",
  request: { body: jsonBody(FeedbackSchema) },
  responses: noContent("Applied", 400, 401, 404),
});

export const feedRoutes = createRouter<{ Bindings: Env }>();

feedRoutes.openapi(feedbackRoute, async (c) => {
  const { noteId, visitorId: visitor } = c.req.valid("json");
  const { actor, storefront } = principalOf(c);
  const profile = profileIdOf(actor, storefront?.keyId ?? null, visitor);
  if (!profile) {
    throw new ProblemError("validation_failed", "A guest's feedback needs the storefront's visitorId.", {
      errors: [{ path: "/visitorId", message: "required when no person is signed in" }],
    });
  }
  const now = new Date();
  const [found] = await database(c.env).$client.batch(
    [
      { sql: "SELECT 1 FROM notes WHERE id = ? AND status = 'published'", args: [noteId] },
      ...noteSignalStatements(profile, noteId, "not_interested", signalWeights.not_interested, now),
      {
        sql: `INSERT INTO feed_seen (profile_id, note_id, seen_at) SELECT ?, id, ? FROM notes WHERE id = ?
              ON CONFLICT DO UPDATE SET seen_at = excluded.seen_at`,
        args: [profile, now.toISOString(), noteId],
      },
    ],
    "write",
  );
  if (!found?.rows.length) throw new ProblemError("not_found", `Note ${noteId} does not exist.`);
  c.header("cache-control", "no-store");
  return c.body(null, 204);
});

feedRoutes.get("/", bodyEtag({ weak: true }));
feedRoutes.openapi(getFeed, async (c) => {
  const { type, limit, cursor, topic, visitorId: visitor } = c.req.valid("query");
  const db = database(c.env);
  if (type === "following") {
    const followerId = personId(requirePerson(c));
    c.header("cache-control", "private, no-cache");
    return c.json(await followingFeed({ db, followerId, limit, cursor, topic }), 200);
  }
  // A profile's feed, unless the caller asks for one topic or is on a page of the global ranking already.
  const { actor, storefront } = principalOf(c);
  const profile = profileIdOf(actor, storefront?.keyId ?? null, visitor);
  if (profile && topic === undefined && (cursor === undefined || isPersonalCursor(cursor))) {
    const live = cursor === undefined ? liveCards(db, null) : Promise.resolve([]);
    const feed = await personalFeed({ db, config: c.env, profileId: profile, limit, cursor, live });
    if (feed) {
      c.header("cache-control", "private, no-store");
      return c.json(feed, 200);
    }
    // An empty profile starts from the global ranking (its live cards are already being read).
    c.header("cache-control", "private, no-store");
    return c.json(await discoverFeed({ db, limit, cursor, topic, live }), 200);
  }
  c.header("cache-control", profile ? "private, no-store" : "public, max-age=15, stale-while-revalidate=60");
  return c.json(await discoverFeed({ db, limit, cursor, topic }), 200);
});
