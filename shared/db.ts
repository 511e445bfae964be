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

/**
 * A client for this request. Not cached across requests on purpose: the HTTP client keeps in-flight fetches on
 * the object, and workerd forbids one request from awaiting I/O that another request started (concurrent
 * requests sharing a client hang). Creating one is a few allocations, no I/O.
 */
export function database(config: DatabaseConfig): Database {
  return openDatabase(config);
}

/** A round trip to the database, for health checks. */
export async function pingDatabase(config: DatabaseConfig): Promise<void> {
  await database(config).$client.execute("SELECT 1");
}
