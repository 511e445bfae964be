// A signed-in person's inbox: GET / (newest first, cursor pages, the unread count), POST /{id}/read, POST /read-all.
// Private: never cached.
import { z } from "@hono/zod-openapi";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent, ok, problemResponses } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { idParam } from "#shared/openapi/schemas.ts";
import { pageQuery } from "#shared/pagination.ts";
import { checkFirst, personId, requirePerson } from "#shared/principal.ts";
import { listNotifications } from "./list.ts";
import { NotificationSchema } from "./notification.ts";
import { readAllNotifications, readNotification } from "./read.ts";

const signedIn = "A signed-in shopper or creator (access token).";

const listRoute = route("GET /", "My notifications, newest first, with the number unread", {
  description: `${signedIn} Today: a live session I set a reminder for went live or was cancelled, a flash sale I set a reminder for started.`,
  request: {
    query: pageQuery
      .extend({
        unread: z.enum(["true", "false"]).default("false").openapi({ description: "`true`: only the unread ones." }),
      })
      .strict(),
  },
  responses: {
    200: jsonContent(
      z
        .object({
          data: z.array(NotificationSchema),
          nextCursor: z.string().nullable(),
          unreadCount: z.number().int(),
        })
        .openapi("NotificationPage"),
      "A page of notifications",
    ),
    ...problemResponses(400, 401),
  },
});

const readRoute = route("POST /{id}/read", "Mark a notification read", {
  description: `${signedIn} Idempotent: the first read time stays.`,
  request: { params: idParam("ntf") },
  responses: ok(NotificationSchema, "The notification", 400, 401, 404),
});

const readAllRoute = route("POST /read-all", "Mark all my notifications read", {
  description: signedIn,
  responses: ok(z.object({ read: z.number().int().openapi({ description: "How many were unread." }) }), "Done", 401),
});

export const notificationRoutes = createRouter<{ Bindings: Env }>();
notificationRoutes.use(checkFirst(requirePerson));

notificationRoutes.openapi(listRoute, async (c) => {
  const { limit, cursor, unread } = c.req.valid("query");
  const result = await listNotifications({
    db: database(c.env),
    personId: personId(requirePerson(c)),
    limit,
    cursor,
    unreadOnly: unread === "true",
  });
  c.header("cache-control", "private, no-store");
  return c.json(result, 200);
});

notificationRoutes.openapi(readAllRoute, async (c) => {
  const read = await readAllNotifications(database(c.env), personId(requirePerson(c)));
  return c.json({ read }, 200);
});

notificationRoutes.openapi(readRoute, async (c) => {
  const notification = await readNotification(database(c.env), personId(requirePerson(c)), c.req.valid("param").id);
  return c.json(notification, 200);
});
