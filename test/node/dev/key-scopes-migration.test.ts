// Migration 0021: a merchant's full secret keys keep managing keys once that takes api_keys:write; narrower keys,
// publishable keys and creator keys gain nothing. Run on a database migrated up to the migration before it.
import { expect, it } from "vitest";
import { scopes } from "#shared/principal.ts";
import { scopeMigration } from "./scope-migration.ts";

const migration = await scopeMigration("0021");
// A full key then held every scope listed before api_keys:write (scopes are only ever added at the end).
const full = scopes.slice(0, scopes.indexOf("api_keys:write"));

it("grants api_keys:write to full merchant secret keys only", async () => {
  await migration.grantTo([["key_full", "secret", "mer_1", null, full]]);
  expect(await migration.scopesOf("key_full")).toEqual([...full, "api_keys:write"]);
  await migration.expectBystandersUnchanged();
});
