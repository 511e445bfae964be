// GET /v1/feed?type=following|discover: live sessions on air first (a live badge), then notes. `following` needs a
// signed-in shopper or creator and is private; `discover` is public and cached briefly.
import { createRoute, z } from "@hono/zod-openapi";
import { etag as bodyEtag } from "hono/etag";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent, problemResponses } from "#shared/openapi.ts";
import { pageQuery } from "#shared/pagination.ts";
import { personId, requirePerson } from "#shared/principal.ts";
import { NoteSummarySchema } from "../notes/note.ts";
import { discoverFeed, followingFeed, LiveCardSchema } from "./list.ts";

const FeedQuery = pageQuery
  .extend({
    type: z.enum(["following", "discover"]).default("discover").openapi({
      description:
        "following: creators you follow, newest first; discover: ranked by engagement and age (docs/guides/notes-and-feed.md).",
    }),
    topic: z
      .string()
      .trim()
      .regex(/^#?[\p{L}\p{N}_]{1,30}$/u, "a topic, optionally after #")
      .transform((t) => t.replace(/^#/, ""))
      .optional()
      .openapi({ description: "Only notes with this topic (case-insensitive)." }),
  })
  .strict();

const FeedSchema = z
  .object({
    live: z.array(LiveCardSchema).openapi({ description: "Live now, on the first page only (empty after)." }),
    data: z.array(NoteSummarySchema),
    nextCursor: z.string().nullable(),
  })
  .openapi("Feed");

const getFeed = createRoute({
  method: "get",
  path: "/",
  summary: "The feed: live sessions, then notes",
  request: { query: FeedQuery },
  responses: {
    200: jsonContent(FeedSchema, "A page of the feed"),
    304: { description: "Not modified (If-None-Match)" },
    ...problemResponses(400, 401),
  },
});

export const feedRoutes = createRouter<{ Bindings: Env }>();

feedRoutes.get("/", bodyEtag({ weak: true }));
feedRoutes.openapi(getFeed, async (c) => {
  const { type, limit, cursor, topic } = c.req.valid("query");
  const db = database(c.env);
  if (type === "following") {
    const followerId = personId(requirePerson(c));
    c.header("cache-control", "private, no-cache");
    return c.json(await followingFeed({ db, followerId, limit, cursor, topic }), 200);
  }
  c.header("cache-control", "public, max-age=15, stale-while-revalidate=60");
  return c.json(await discoverFeed({ db, limit, cursor, topic }), 200);
});
