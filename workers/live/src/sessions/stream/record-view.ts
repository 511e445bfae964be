// A stream view for the business figures (shared/analytics.ts recordView): a viewer's token for a session counts
// once per viewer, session and UTC day, however often the token is renewed (every 10 minutes while watching; a
// renewal this isolate has seen today writes nothing). Written after the response (waitUntil), so the token's hot
// path waits on no database write; a write that fails loses one view, logged, never the token.
// Design: docs/design/analytics.md#written-with-the-change-they-count
import { recordView } from "#shared/analytics.ts";
import { database } from "#shared/db.ts";
import { log } from "#shared/log.ts";

export function recordStreamView(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  sessionId: string,
  viewerId: string,
): void {
  ctx.waitUntil(
    recordView(database(env), { kind: "live_session", id: sessionId }, viewerId, new Date().toISOString()).catch(
      (err: unknown) => log("error", "stream view not recorded", { sessionId, error: String(err) }),
    ),
  );
}
