// Public reads of live sessions: the shelf from libSQL, the viewer count from the session's LiveRoom.
import { asc, eq } from "drizzle-orm";
import { database } from "../../../../shared/db.ts";
import { ProblemError } from "../../../../shared/errors.ts";
import { createRouter } from "../../../../shared/http.ts";
import { retrieveRoute } from "../../../../shared/openapi.ts";
import { liveSessionProducts, liveSessions } from "../../../../shared/schema.ts";
import { LiveSessionSchema, toLiveSession } from "../session.ts";

const getSession = retrieveRoute({
  prefix: "live",
  schema: LiveSessionSchema,
  summary: "Retrieve a live session with its product shelf and viewer count",
  name: "live session",
});

export const sessionRoutes = createRouter<{ Bindings: Env }>();

sessionRoutes.openapi(getSession, async (c) => {
  const { id } = c.req.valid("param");
  const db = database(c.env);
  const [row, shelf] = await Promise.all([
    db.query.liveSessions.findFirst({ where: eq(liveSessions.id, id) }),
    db
      .select({ productId: liveSessionProducts.productId })
      .from(liveSessionProducts)
      .where(eq(liveSessionProducts.sessionId, id))
      .orderBy(asc(liveSessionProducts.position)),
  ]);
  if (!row) throw new ProblemError("not_found", `Live session ${id} does not exist.`);
  // Only a real session's room is woken: an unknown id must not create an object.
  const room = await c.env.LIVE_ROOM.getByName(id).snapshot();
  return c.json(
    toLiveSession(
      row,
      shelf.map((s) => s.productId),
      room.viewerCount,
    ),
    200,
  );
});
