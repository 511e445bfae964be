// Durable Object SQLite storage migrations: each entry runs once, in order, tracked by PRAGMA user_version.
// Call inside blockConcurrencyWhile in the constructor, so no request sees a half-migrated object.
export function migrateStorage(sql: SqlStorage, migrations: readonly string[]): void {
  const row = sql.exec<{ user_version: number }>("PRAGMA user_version").one();
  for (let version = row.user_version; version < migrations.length; version++) {
    const statement = migrations[version];
    if (statement === undefined) break;
    sql.exec(statement);
    sql.exec(`PRAGMA user_version = ${version + 1}`);
  }
}
