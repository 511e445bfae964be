// The note view beacon: the storefront calls POST /v1/notes/{id}/views when a shopper opens a note. Note reads are
// edge-cached (the gateway answers most of them without reaching this Worker), so a read cannot count views; the
// beacon can, and it is never cached. A view counts once per viewer, note and UTC day (shared/analytics.ts viewed),
// so a retried or repeated beacon changes nothing: it needs no Idempotency-Key.
// Mounted before the notes routes, whose writes need a signed-in person: a guest's storefront may send this one.
import { createRoute, z } from "@hono/zod-openapi";
import { recordView } from "#shared/analytics.ts";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idParam, problemResponses } from "#shared/openapi.ts";
import { principalOf } from "#shared/principal.ts";
import { publishedNote } from "../note.ts";

const NoteViewSchema = z
  .object({
    visitorId: z
      .string()
      .regex(/^[0-9A-Za-z_-]{8,64}$/, "8 to 64 letters, digits, _ or -")
      .optional()
      .openapi({
        description:
          "For a guest (no person signed in): the storefront's stable anonymous id of this device or browser, so the view counts once a day. Ignored for a signed-in person.",
      }),
  })
  .strict()
  .openapi("NoteView");

const viewRoute = createRoute({
  method: "post",
  path: "/{id}/views",
  summary: "Record that a shopper opened a note (the view beacon)",
  description:
    "A signed-in shopper or creator, or a storefront's guest with `visitorId`. Counts once per viewer, note and UTC day in the note's, its author's, its tagged products' merchants' and the platform's figures (`/v1/analytics`); repeating it is harmless.",
  request: {
    params: idParam("note"),
    body: { required: false, content: { "application/json": { schema: NoteViewSchema } } },
  },
  responses: { 204: { description: "Recorded (or already counted today)" }, ...problemResponses(400, 401, 404) },
});

export const noteViewRoutes = createRouter<{ Bindings: Env }>();

noteViewRoutes.openapi(viewRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { actor, storefront } = principalOf(c);
  const body = c.req.header("content-type") ? c.req.valid("json") : {};
  let viewerId: string;
  if (actor.type === "shopper") viewerId = actor.shopperId;
  else if (actor.type === "creator") viewerId = actor.creatorId;
  else if (storefront && body.visitorId !== undefined) viewerId = `visitor:${storefront.keyId}:${body.visitorId}`;
  else if (storefront) {
    throw new ProblemError("validation_failed", "A guest's view needs the storefront's visitorId.", {
      errors: [{ path: "/visitorId", message: "required when no person is signed in" }],
    });
  } else {
    throw new ProblemError(
      "unauthorized",
      "Views come from a storefront: X-Publishable-Key, and a person if signed in.",
    );
  }
  const db = database(c.env);
  await publishedNote(db, id);
  await recordView(db, { kind: "note", id }, viewerId, new Date().toISOString());
  c.header("cache-control", "no-store");
  return c.body(null, 204);
});
