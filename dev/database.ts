// Node-side access to the platform database: the same @libsql/client and schema the Workers use, over HTTP.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { importJWK, type JWK, SignJWT } from "jose";
import * as schema from "#shared/schema.ts";

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

/**
 * The target from the environment, the way the Workers are configured: LIBSQL_URL and LIBSQL_AUTH_TOKEN. Without
 * either, the local server `npm start` runs (LIBSQL_PORT), with a short-lived token signed by the key it keeps in
 * the data folder (ZHONGCAO_DATA_DIR), so db:migrate, db:seed and keys:rotate work beside it with no token to copy.
 */
export async function targetFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DatabaseTarget> {
  if (env.LIBSQL_URL !== undefined || env.LIBSQL_AUTH_TOKEN !== undefined) {
    return { url: env.LIBSQL_URL ?? localUrl(env), authToken: env.LIBSQL_AUTH_TOKEN };
  }
  return { url: localUrl(env), authToken: await localToken(env.ZHONGCAO_DATA_DIR ?? ".data") };
}

function localUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.LIBSQL_PORT ?? "8080"}`;
}

/** Where `npm start` keeps the local database server's Ed25519 private key (JWK) in its data folder. */
export const localAuthKeyFile = (dataDir: string) => path.join(dataDir, "libsql-auth-key.json");

/** A read-write token for the local database server, signed with its private key, as Turso's tokens are. */
export async function signLocalToken(privateJwk: JWK, expiresIn: string): Promise<string> {
  return new SignJWT({ a: "rw" })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await importJWK(privateJwk, "EdDSA"));
}

/** A one-hour token from the data folder's key, or none if `npm start` never made one there. */
export async function localToken(dataDir: string): Promise<string | undefined> {
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(localAuthKeyFile(dataDir), "utf8")) as JWK;
  } catch {
    return undefined;
  }
  return signLocalToken(privateJwk, "1h");
}
