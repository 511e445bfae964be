// Notes (种草笔记): public reads; the author's writes (another person's note is a 404); likes, saves and comments by
// any signed-in shopper or creator, checked before the input is read (401, not 400). The view beacon (POST
// /{id}/views) is the one write a guest's storefront may send: note reads are edge-cached and cannot count views, and
// a view counts once per viewer, note and UTC day (shared/analytics.ts), so it needs no Idempotency-Key.
import { createRoute, z } from "@hono/zod-openapi";
import { etag as bodyEtag } from "hono/etag";
import { recordView } from "#shared/analytics.ts";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { notModified } from "#shared/etag.ts";
import { createRouter, purge } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import {
  hotKeyStatement,
  hotListStatements,
  noteSignalStatements,
  profileIdOf,
  signalWeights,
  viewWeight,
} from "#shared/interests.ts";
import { learn } from "#shared/learn.ts";
import { mediaOwner, withMediaOf } from "#shared/media.ts";
import { created, jsonBody, noContent, ok, okOrNotModified } from "#shared/openapi/responses.ts";
import { createResourceRoute, retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idOf, idParam, pageOf, requiredText } from "#shared/openapi/schemas.ts";
import { pageQuery } from "#shared/pagination.ts";
import { checkFirst, customerOf, personId, principalOf, requirePerson } from "#shared/principal.ts";
import { relatedNotes } from "../feed/personal.ts";
import { addComment, deleteComment, listComments } from "./comment.ts";
import { createNote } from "./create.ts";
import {
  CommentSchema,
  limits,
  NoteCreateSchema,
  NoteSchema,
  NoteSummarySchema,
  NoteUpdateSchema,
  noteEtag,
  personOnly,
  publishedNote,
  toNote,
} from "./note.ts";
import { type Reaction, setReaction } from "./react.ts";
import { deleteNote, updateNote } from "./update.ts";

const publicCache = "public, max-age=15, stale-while-revalidate=60";
const ifMatchHeader = z.object({
  "if-match": z
    .string()
    .optional()
    .openapi({ description: "The ETag you read; a note edited since gets 412 (counts changing do not matter)." }),
});
const commentParams = idParam("note").extend({
  commentId: idOf("cmt").openapi({ param: { name: "commentId", in: "path" } }),
});
const CommentCreateSchema = z
  .object({ body: requiredText(limits.comment) })
  .strict()
  .openapi("CommentCreate");
const ReactionStateSchema = z
  .object({
    noteId: z.string(),
    liked: z.boolean().optional(),
    likeCount: z.number().int().optional(),
    saved: z.boolean().optional(),
    saveCount: z.number().int().optional(),
  })
  .openapi("ReactionState");

/** A storefront guest's anonymous id of its device or browser, sent with its view beacons (and its feed reads). */
export const visitorIdSchema = z.string().regex(/^[0-9A-Za-z_-]{8,64}$/, "8 to 64 letters, digits, _ or -");

const NoteViewSchema = z
  .object({
    visitorId: visitorIdSchema.optional().openapi({
      description:
        "For a guest (no person signed in): the storefront's stable anonymous id of this device or browser, so the view counts once a day. Ignored for a signed-in person.",
    }),
    dwellMs: z.number().int().min(0).max(86_400_000).optional().openapi({
      description:
        "How long the note was read, in milliseconds, if the storefront sends the beacon on leaving: a longer read teaches the viewer's discover feed more (docs/guides/personalised-feed.md).",
    }),
  })
  .strict()
  .openapi("NoteView");

const viewRoute = route("POST /{id}/views", "Record that a shopper opened a note (the view beacon)", {
  caller: checkFirst(customerOf),
  description:
    "A signed-in shopper or creator, or a storefront's guest with `visitorId`. Counts once per viewer, note and UTC day in the note's, its author's, its tagged products' merchants' and the platform's figures (`/v1/analytics`); repeating it is harmless.",
  request: { params: idParam("note"), body: jsonBody(NoteViewSchema, false) },
  responses: noContent("Recorded (or already counted today)", 400, 401, 404),
});

const createNoteRoute = createResourceRoute(
  "Post a note",
  NoteCreateSchema,
  created(NoteSchema, "The note (ETag, Location)", 400, 401, 409, 422),
  {
    description:
      "A shopper or creator. Takes `Idempotency-Key`. #hashtags in the body become topics too. Product tags must be active products whose merchant allows promotion.",
  },
);

const getNoteRoute = retrieveRoute(
  "note",
  "Retrieve a note",
  okOrNotModified(NoteSchema, "The note (ETag, Cache-Control)", 400, 404),
  { description: "Public. Tagged products carry their current price, stock state and an attribution reference." },
);

const updateNoteRoute = route("PATCH /{id}", "Edit your note", {
  description: "The author only (another person's note is 404). Send If-Match with the ETag you read.",
  request: { params: idParam("note"), headers: ifMatchHeader, body: jsonBody(NoteUpdateSchema) },
  responses: ok(NoteSchema, "The note (ETag)", 400, 401, 404, 412),
});

const deleteNoteRoute = route("DELETE /{id}", "Delete your note", {
  description: "The author only. Soft delete: gone from every read; likes, saves and comments go with it.",
  request: { params: idParam("note"), headers: ifMatchHeader },
  responses: noContent("Deleted", 400, 401, 404, 412),
});

function reactionRoute(method: "put" | "delete", reaction: Reaction) {
  const verb = reaction === "like" ? ["Like", "Unlike"] : ["Save", "Unsave"];
  return createRoute({
    method,
    path: `/{id}/${reaction}`,
    summary: `${method === "put" ? verb[0] : verb[1]} a note`,
    description: "A shopper or creator; idempotent (once per person). Returns the state and the exact count.",
    request: { params: idParam("note") },
    responses: ok(ReactionStateSchema, "Your state and the count", 400, 401, 404),
  });
}

const addCommentRoute = route("POST /{id}/comments", "Comment on a note", {
  description: "A shopper or creator. Takes `Idempotency-Key`.",
  request: { params: idParam("note"), body: jsonBody(CommentCreateSchema) },
  responses: created(CommentSchema, "The comment", 400, 401, 404, 409, 422),
});

const listCommentsRoute = route("GET /{id}/comments", "List a note's comments, newest first", {
  request: { params: idParam("note"), query: pageQuery.strict() },
  responses: ok(pageOf(CommentSchema), "A page of comments", 400, 404),
});

const deleteCommentRoute = route("DELETE /{id}/comments/{commentId}", "Remove a comment", {
  description: "The comment's author or the note's author; to anyone else the comment does not exist (404).",
  request: { params: commentParams },
  responses: noContent("Removed", 400, 401, 404),
});

const RelatedNotesSchema = z.object({ data: z.array(NoteSummarySchema) }).openapi("RelatedNotes");

const relatedRoute = route("GET /{id}/related", "Notes related to a note", {
  description:
    "Public. Notes that the people who liked or saved this one also liked or saved, then notes sharing its topics or tagged products; at most a tenth of the list (at least one) by one author (docs/guides/personalised-feed.md).",
  request: {
    params: idParam("note"),
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) }).strict(),
  },
  responses: ok(RelatedNotesSchema, "Related notes, best first", 400, 404),
});

export const notesRoutes = createRouter<{ Bindings: Env }>();

// Registered before the person check below: its handler answers first, so a guest's storefront may send it.
notesRoutes.openapi(viewRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { actor, storefront } = principalOf(c);
  const body = c.req.header("content-type") ? c.req.valid("json") : {};
  let viewerId: string;
  if (actor.type === "shopper") viewerId = actor.shopperId;
  else if (actor.type === "creator") viewerId = actor.creatorId;
  else if (storefront && body.visitorId !== undefined) viewerId = `visitor:${storefront.keyId}:${body.visitorId}`;
  else {
    throw new ProblemError("validation_failed", "A guest's view needs the storefront's visitorId.", {
      errors: [{ path: "/visitorId", message: "required when no person is signed in" }],
    });
  }
  const db = database(c.env);
  await publishedNote(db, id);
  await recordView(db, { kind: "note", id }, viewerId, new Date().toISOString());
  const profile = profileIdOf(actor, storefront?.keyId ?? null, body.visitorId);
  if (profile) learn(c.env, noteSignalStatements(profile, id, "view", viewWeight(body.dwellMs), new Date()));
  c.header("cache-control", "no-store");
  return c.body(null, 204);
});

// Every other write needs a person; refuse others before reading their input (a 401 rather than a 400).
notesRoutes.on(["POST", "PATCH", "PUT", "DELETE"], ["/", "/*"], personOnly);
notesRoutes.post("/", idempotency({ required: false }));
notesRoutes.post("/:id/comments", idempotency({ required: false }));
notesRoutes.get("/:id/comments", bodyEtag({ weak: true }));

notesRoutes.openapi(createNoteRoute, async (c) => {
  const db = database(c.env);
  const person = requirePerson(c);
  const input = await withMediaOf(db, c.env.MEDIA_URL, mediaOwner(person), c.req.valid("json"));
  const row = await createNote({ db, person, input });
  const note = await toNote(db, row);
  learn(c.env, hotListStatements(note.id));
  c.header("etag", await noteEtag(note, row.version));
  c.header("location", `/v1/notes/${note.id}`);
  return c.json(note, 201);
});

notesRoutes.openapi(getNoteRoute, async (c) => {
  const db = database(c.env);
  const row = await publishedNote(db, c.req.valid("param").id);
  const note = await toNote(db, row);
  const etag = await noteEtag(note, row.version);
  c.header("etag", etag);
  c.header("cache-control", publicCache);
  if (notModified(c, etag)) return c.body(null, 304);
  return c.json(note, 200);
});

notesRoutes.openapi(updateNoteRoute, async (c) => {
  const db = database(c.env);
  const person = requirePerson(c);
  const row = await updateNote({
    db,
    person,
    id: c.req.valid("param").id,
    ifMatch: c.req.header("if-match"),
    patch: await withMediaOf(db, c.env.MEDIA_URL, mediaOwner(person), c.req.valid("json")),
  });
  const note = await toNote(db, row);
  // The hot lists change with the topics (hashtags in the body count) and the tagged products only.
  const { topics, body, productIds } = c.req.valid("json");
  if (topics !== undefined || body !== undefined || productIds !== undefined) learn(c.env, hotListStatements(note.id));
  c.header("etag", await noteEtag(note, row.version));
  purge(c, `/v1/notes/${note.id}`);
  return c.json(note, 200);
});

notesRoutes.openapi(deleteNoteRoute, async (c) => {
  await deleteNote({
    db: database(c.env),
    person: requirePerson(c),
    id: c.req.valid("param").id,
    ifMatch: c.req.header("if-match"),
  });
  learn(c.env, hotListStatements(c.req.valid("param").id));
  purge(c, `/v1/notes/${c.req.valid("param").id}`, `/v1/notes/${c.req.valid("param").id}/comments`);
  return c.body(null, 204);
});

for (const reaction of ["like", "save"] as const) {
  for (const method of ["put", "delete"] as const) {
    notesRoutes.openapi(reactionRoute(method, reaction), async (c) => {
      const noteId = c.req.valid("param").id;
      const actorId = personId(requirePerson(c));
      const state = await setReaction({ db: database(c.env), reaction, noteId, actorId, active: method === "put" });
      learn(c.env, [
        ...(method === "put"
          ? noteSignalStatements(actorId, noteId, reaction, signalWeights[reaction], new Date())
          : []),
        hotKeyStatement(noteId),
      ]);
      c.header("cache-control", "private, no-store");
      return c.json(
        reaction === "like"
          ? { noteId: state.noteId, liked: state.active, likeCount: state.count }
          : { noteId: state.noteId, saved: state.active, saveCount: state.count },
        200,
      );
    });
  }
}

notesRoutes.openapi(addCommentRoute, async (c) => {
  const authorId = personId(requirePerson(c));
  const comment = await addComment({
    db: database(c.env),
    noteId: c.req.valid("param").id,
    authorId,
    body: c.req.valid("json").body,
  });
  learn(c.env, [
    ...noteSignalStatements(authorId, comment.noteId, "comment", signalWeights.comment, new Date()),
    hotKeyStatement(comment.noteId),
  ]);
  c.header("location", `/v1/notes/${comment.noteId}/comments/${comment.id}`);
  purge(c, `/v1/notes/${comment.noteId}`, `/v1/notes/${comment.noteId}/comments`);
  return c.json(comment, 201);
});

notesRoutes.openapi(relatedRoute, async (c) => {
  const result = await relatedNotes(database(c.env), c.req.valid("param").id, c.req.valid("query").limit);
  c.header("cache-control", publicCache);
  return c.json(result, 200);
});

notesRoutes.openapi(listCommentsRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const result = await listComments({ db: database(c.env), noteId: c.req.valid("param").id, limit, cursor });
  c.header("cache-control", publicCache);
  return c.json(result, 200);
});

notesRoutes.openapi(deleteCommentRoute, async (c) => {
  const { id, commentId } = c.req.valid("param");
  await deleteComment({ db: database(c.env), noteId: id, commentId, personId: personId(requirePerson(c)) });
  learn(c.env, [hotKeyStatement(id)]);
  purge(c, `/v1/notes/${id}`, `/v1/notes/${id}/comments`);
  return c.body(null, 204);
});
