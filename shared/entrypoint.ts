// Every backend Worker is a WorkerEntrypoint: `fetch` serves its Hono app to the gateway's service binding,
// and `health()` is the RPC the gateway's /health calls.
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Hono, Env as HonoEnv } from "hono";
import { type DatabaseConfig, pingDatabase } from "./db.ts";
import { type WorkerHealth, workerHealth } from "./health.ts";

export function serviceEntrypoint<E extends DatabaseConfig>(
  app: Hono<HonoEnv & { Bindings: E }>,
  extraChecks: (env: E) => Record<string, () => Promise<unknown>> = () => ({}),
) {
  return class ServiceEntrypoint extends WorkerEntrypoint<E> {
    override fetch(request: Request): Promise<Response> {
      return Promise.resolve(app.fetch(request, this.env, this.ctx));
    }

    health(): Promise<WorkerHealth> {
      return workerHealth({ database: () => pingDatabase(this.env), ...extraChecks(this.env) });
    }
  };
}

/** What the gateway's service bindings reach: any backend Worker's entrypoint. */
export type ServiceEntrypoint = InstanceType<ReturnType<typeof serviceEntrypoint<DatabaseConfig>>>;
