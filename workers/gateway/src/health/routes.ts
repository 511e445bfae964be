// GET /health: the database and every Worker behind the gateway, each bounded in time; 503 if any is down.
import { z } from "@hono/zod-openapi";
import { pingDatabase } from "#shared/db.ts";
import { type Check, timedCheck, type WorkerHealth } from "#shared/health.ts";
import { createRouter } from "#shared/http.ts";
import { jsonContent } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { backend, services } from "../pipeline/services.ts";

const CheckSchema = z.object({
  status: z.enum(["ok", "down"]),
  latencyMs: z.number(),
  detail: z.string().optional(),
});

const HealthSchema = z
  .object({
    status: z.enum(["ok", "down"]),
    database: CheckSchema,
    workers: z.record(z.string(), CheckSchema.extend({ checks: z.record(z.string(), CheckSchema).optional() })),
  })
  .openapi("Health");

const health = route("GET /", "Health of the database and of every Worker", {
  responses: {
    200: jsonContent(HealthSchema, "Everything is up"),
    503: jsonContent(HealthSchema, "Something is down"),
  },
});

export const healthRoutes = createRouter<{ Bindings: Env }>();

async function workerCheck(call: () => Promise<WorkerHealth>): Promise<Check & { checks?: Record<string, Check> }> {
  let reported: WorkerHealth | undefined;
  const check = await timedCheck(async () => {
    reported = await call();
    if (reported.status !== "ok") throw new Error("a dependency of this Worker is down");
  });
  return reported ? { ...check, checks: reported.checks } : check;
}

healthRoutes.openapi(health, async (c) => {
  const [database, ...workers] = await Promise.all([
    timedCheck(() => pingDatabase(c.env)),
    ...services.map(
      async ({ name, binding }) => [name, await workerCheck(() => backend(c.env, binding).health())] as const,
    ),
  ]);
  const up = database.status === "ok" && workers.every(([, w]) => w.status === "ok");
  c.header("cache-control", "no-store");
  return c.json({ status: up ? "ok" : "down", database, workers: Object.fromEntries(workers) }, up ? 200 : 503);
});
