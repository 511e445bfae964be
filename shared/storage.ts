// Durable Object SQLite storage migrations: each entry runs once, in order. Call inside blockConcurrencyWhile in
// the constructor, so no request sees a half-migrated object. The version lives in a table of its own because
// workerd does not authorise PRAGMA user_version in Durable Object storage.
export function migrateStorage(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _schema_version (version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number }>("SELECT version FROM _schema_version").toArray()[0]?.version ?? 0;
  if (current === 0) sql.exec("INSERT INTO _schema_version (version) VALUES (0)");
  for (let version = current; version < migrations.length; version++) {
    const statement = migrations[version];
    if (statement === undefined) break;
    sql.exec(statement);
    sql.exec("UPDATE _schema_version SET version = ?", version + 1);
  }
}

/** The migration version a Durable Object's storage is at (for tests and diagnostics). */
export function storageVersion(sql: SqlStorage): number {
  return sql.exec<{ version: number }>("SELECT version FROM _schema_version").toArray()[0]?.version ?? 0;
}

/**
 * Migrations for one part of an object whose parts own their tables: each part's list is numbered on its own (in
 * `_schema_versions`, by part name), so a part adding a migration never shifts another's. Same rules as above.
 */
export function migrateStoragePart(sql: SqlStorage, part: string, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _schema_versions (part TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  const current =
    sql.exec<{ version: number }>("SELECT version FROM _schema_versions WHERE part = ?", part).toArray()[0]?.version ??
    0;
  for (let version = current; version < migrations.length; version++) {
    const statement = migrations[version];
    if (statement === undefined) break;
    sql.exec(statement);
    sql.exec(
      "INSERT INTO _schema_versions (part, version) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET version = excluded.version",
      part,
      version + 1,
    );
  }
}

/** The migration version one part of a Durable Object's storage is at (for tests and diagnostics). */
export function storagePartVersion(sql: SqlStorage, part: string): number {
  const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_schema_versions'").toArray();
  if (table.length === 0) return 0;
  return (
    sql.exec<{ version: number }>("SELECT version FROM _schema_versions WHERE part = ?", part).toArray()[0]?.version ??
    0
  );
}
