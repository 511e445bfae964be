// The Workers reach libSQL over HTTP (Hrana): Turso in production, the dev/ server locally.
import { createClient } from "@libsql/client/web";
import {
  createTableRelationsHelpers,
  type ExtractTablesWithRelations,
  extractTablesRelationalConfig,
  type RelationalSchemaConfig,
} from "drizzle-orm";
import { LibSQLDatabase } from "drizzle-orm/libsql/driver-core";
import { LibSQLSession } from "drizzle-orm/libsql/session";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.ts";

export interface DatabaseConfig {
  LIBSQL_URL: string;
  LIBSQL_AUTH_TOKEN?: string;
}

type Schema = typeof schema;
export type Database = LibSQLDatabase<Schema> & { $client: ReturnType<typeof createClient> };

// What `drizzle(client, { schema })` derives from the schema on every call, derived once when the isolate loads:
// walking every table's relations took a quarter of a simple database request's CPU. The dialect holds no I/O.
const dialect = new SQLiteAsyncDialect();
const tables = extractTablesRelationalConfig<ExtractTablesWithRelations<Schema>>(schema, createTableRelationsHelpers);
const relational: RelationalSchemaConfig<ExtractTablesWithRelations<Schema>> = {
  fullSchema: schema,
  schema: tables.tables,
  tableNamesMap: tables.tableNamesMap,
};

/**
 * A client for this request: what `drizzle(client, { schema })` builds, around a new HTTP client. Not cached
 * across requests on purpose: the HTTP client keeps in-flight fetches on the object, and workerd forbids one request
 * from awaiting I/O that another request started (concurrent requests sharing a client hang).
 */
export function database(config: DatabaseConfig): Database {
  const client = createClient({
    url: config.LIBSQL_URL,
    authToken: config.LIBSQL_AUTH_TOKEN || undefined,
    intMode: "number",
  });
  const session = new LibSQLSession(client, dialect, relational, {}, undefined);
  const db = new LibSQLDatabase("async", dialect, session, relational) as Database;
  db.$client = client;
  return db;
}

/** A round trip to the database, for health checks. */
export async function pingDatabase(config: DatabaseConfig): Promise<void> {
  await database(config).$client.execute("SELECT 1");
}
