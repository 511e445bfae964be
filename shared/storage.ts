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
