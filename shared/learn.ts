// Write-behind for interest profiles (shared/interests.ts): the statements one action produced go to the database
// in one batch after the response is sent, so learning never slows the action, and a failure is logged, never shown.
import { waitUntil } from "cloudflare:workers";
import type { InStatement } from "@libsql/client/web";
import { type DatabaseConfig, database } from "./db.ts";
import { log } from "./log.ts";

export function learn(config: DatabaseConfig, statements: InStatement[]): void {
  if (statements.length === 0) return;
  waitUntil(
    database(config)
      .$client.batch(statements, "write")
      .then(
        () => undefined,
        (err: unknown) =>
          log("warn", "interest signal not recorded", { error: err instanceof Error ? err.message : String(err) }),
      ),
  );
}
