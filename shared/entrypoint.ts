// Every backend Worker is a WorkerEntrypoint: `fetch` serves its Hono app to the gateway's service binding,
// `health()` is the RPC the gateway's /health calls, and `openapi()` gives its routes' part of the API document.

import { WorkerEntrypoint } from "cloudflare:workers";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env as HonoEnv } from "hono";
import { type DatabaseConfig, pingDatabase } from "./db.ts";
import { type WorkerHealth, workerHealth } from "./health.ts";

/** The part of an OpenAPI 3.1 document the gateway merges: paths and component schemas. */
export interface OpenApiPart {
  paths: Record<string, unknown>;
  schemas: Record<string, unknown>;
}

export function openApiPart<E extends HonoEnv>(app: OpenAPIHono<E>): OpenApiPart {
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "zhongcao", version: "1" } });
  const paths = JSON.parse(JSON.stringify(doc.paths ?? {}), patternSource) as Record<string, Record<string, Operation>>;
  // A coerced number (`z.coerce.number()`) is declared `["integer", "null"]`; a path or query parameter is text in a
  // URL and is never null (`?minPrice=null` is a 400).
  for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
    for (const parameter of operation.parameters ?? []) {
      const type = parameter.schema?.type;
      if (Array.isArray(type) && parameter.schema) {
        const kept = type.filter((t) => t !== "null");
        parameter.schema.type = kept.length === 1 ? kept[0] : kept;
      }
    }
  }
  return {
    paths,
    schemas: JSON.parse(JSON.stringify(doc.components?.schemas ?? {}), patternSource),
  };
}

interface Operation {
  parameters?: { schema?: { type?: string | string[] } }[];
}

// zod-to-openapi writes a regex that has flags as `source/flags` (`^#?[\p{L}]{1,30}$/u`), which no string matches: a
// JSON Schema pattern is the source alone, and validators read it as Unicode already.
function patternSource(key: string, value: unknown): unknown {
  return key === "pattern" && typeof value === "string" ? value.replace(/\$\/[dgimsuvy]+$/, "$") : value;
}

export function serviceEntrypoint<E extends DatabaseConfig>(
  app: OpenAPIHono<HonoEnv & { Bindings: E }>,
  extraChecks: (env: E) => Record<string, () => Promise<unknown>> = () => ({}),
) {
  return class ServiceEntrypoint extends WorkerEntrypoint<E> {
    override fetch(request: Request): Promise<Response> {
      return Promise.resolve(app.fetch(request, this.env, this.ctx));
    }

    health(): Promise<WorkerHealth> {
      return workerHealth({ database: () => pingDatabase(this.env), ...extraChecks(this.env) });
    }

    openapi(): OpenApiPart {
      return openApiPart(app);
    }
  };
}

/** What the gateway's service bindings reach: any backend Worker's entrypoint. */
export type ServiceEntrypoint = InstanceType<ReturnType<typeof serviceEntrypoint<DatabaseConfig>>>;
