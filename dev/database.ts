// Node-side access to the platform database: the same @libsql/client and schema the Workers use, over HTTP.
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "../shared/schema.ts";

export interface DatabaseTarget {
  url: string;
  authToken?: string | undefined;
}

export function connect(target: DatabaseTarget) {
  const client = createClient({ url: target.url, authToken: target.authToken || undefined });
  return drizzle(client, { schema });
}

export type NodeDatabase = ReturnType<typeof connect>;

export const migrationsFolder = new URL("../migrations", import.meta.url).pathname;

/** Applies every migration not yet applied (drizzle tracks them in __drizzle_migrations), each once. */
export async function migrateDatabase(db: NodeDatabase): Promise<void> {
  await migrate(db, { migrationsFolder });
}

/** The target from the environment, the way the Workers are configured: LIBSQL_URL and LIBSQL_AUTH_TOKEN. */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  return {
    url: env.LIBSQL_URL ?? `http://127.0.0.1:${env.LIBSQL_PORT ?? "8080"}`,
    authToken: env.LIBSQL_AUTH_TOKEN,
  };
}
