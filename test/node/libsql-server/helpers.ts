// Shared setup for the local libSQL server tests: a fresh server on port 0 with a temp database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, Config } from "@libsql/client";
import { createClient as createNodeClient } from "@libsql/client";
import { createClient as createWebClient } from "@libsql/client/web";
import type { LibsqlServer, LibsqlServerOptions } from "../../../dev/libsql-server/server.ts";
import { startLibsqlServer } from "../../../dev/libsql-server/server.ts";

export interface TestServer extends LibsqlServer {
  dir: string;
  dbPath: string;
  /** Problems the server logged (one record per problem). */
  logs: Record<string, unknown>[];
  cleanup(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "zhongcao-libsql-"));
}

export async function startTestServer(options: Partial<LibsqlServerOptions> = {}): Promise<TestServer> {
  const dir = tempDir();
  const dbPath = join(dir, "test.db");
  const logs: Record<string, unknown>[] = [];
  const server = await startLibsqlServer({ port: 0, dbPath, log: (e) => logs.push(e), ...options });
  return {
    ...server,
    dir,
    dbPath,
    logs,
    cleanup: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both official clients: the Workers build (`/web`) and the Node build, each over plain http://. */
export const clientKinds: [string, (config: Config) => Client][] = [
  ["web", createWebClient],
  ["node", createNodeClient],
];

/** Await a promise expected to reject and return the error (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof Error) return e as Record<string, unknown> & Error;
    throw new Error(`rejected with a non-Error: ${String(e)}`);
  }
  throw new Error("expected a rejection, but the promise resolved");
}
