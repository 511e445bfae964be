// The database schema lives in shared/schema/, one file per domain; this name stays so that imports of
// `#shared/schema.ts` keep working.
export * from "./schema/index.ts";
