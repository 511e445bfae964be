// Migration 0028: a merchant's full secret keys (every scope before it) get affiliates:read and affiliates:write;
// narrower keys, publishable keys and creator keys gain nothing. Run on a database migrated up to the one before it.
import { expect, it } from "vitest";
import { scopes } from "#shared/principal.ts";
import { scopeMigration } from "./scope-migration.ts";

const migration = await scopeMigration("0028");
// A full key then held every scope listed before the affiliates' (scopes are only ever added at the end).
const full = scopes.slice(0, scopes.indexOf("affiliates:read"));

it("grants affiliates:read and affiliates:write to full merchant secret keys only", async () => {
  await migration.grantTo([
    ["key_full", "secret", "mer_1", null, full],
    ["key_old_full", "secret", "mer_1", null, full.slice(0, -1)],
  ]);
  expect(await migration.scopesOf("key_full")).toEqual([...full, "affiliates:read", "affiliates:write"]);
  expect(await migration.scopesOf("key_old_full")).toEqual(full.slice(0, -1));
  await migration.expectBystandersUnchanged();
});
