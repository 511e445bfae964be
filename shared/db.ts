// The Workers reach libSQL over HTTP (Hrana): Turso in production, the dev/ server locally.
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema.ts";

export interface DatabaseConfig {
  LIBSQL_URL: string;
  LIBSQL_AUTH_TOKEN?: string;
}

export type Database = ReturnType<typeof openDatabase>;

function openDatabase(config: DatabaseConfig) {
  const client = createClient({
    url: config.LIBSQL_URL,
    authToken: config.LIBSQL_AUTH_TOKEN || undefined,
    intMode: "number",
  });
  return drizzle(client, { schema });
}

// One client per isolate and configuration: the HTTP client is stateless between requests, so reuse is safe and saves setup.
const cache = new Map<string, Database>();

export function database(config: DatabaseConfig): Database {
  const key = `${config.LIBSQL_URL}\n${config.LIBSQL_AUTH_TOKEN ?? ""}`;
  let db = cache.get(key);
  if (!db) {
    db = openDatabase(config);
    cache.set(key, db);
  }
  return db;
}

/** A round trip to the database, for health checks. */
export async function pingDatabase(config: DatabaseConfig): Promise<void> {
  await database(config).$client.execute("SELECT 1");
}
