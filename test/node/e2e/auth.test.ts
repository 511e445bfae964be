// End to end: the operator key `npm start` prints (and writes to demo-credentials.json) onboards a merchant through
// the real gateway; the demo creator keys open creator sessions; `npm run keys:rotate` rotates the signing keys of
// that database. Its own `npm start` on free ports and a temporary data folder, stopped with SIGINT.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { importJWK, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { npmStartForFile } from "./npm-start.ts";

const run = promisify(execFile);
const platform = await npmStartForFile("auth");
const gateway = platform.gateway;

interface Credentials {
  operatorKey: string;
  creators: { id: string; creatorKey: string }[];
}

describe("npm start's credentials", () => {
  it("prints an operator key, writes it to demo-credentials.json, and the gateway accepts it", async () => {
    const credentials = await platform.credentials<Credentials>();
    expect(credentials.operatorKey).toMatch(/^zc_admin_local_[0-9a-f]{48}$/);
    expect(platform.output()).toContain(credentials.operatorKey);

    const res = await fetch(`${gateway}/v1/merchants`, {
      method: "POST",
      headers: { authorization: `Bearer ${credentials.operatorKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "端到端 E2E Store", handle: "e2e_store" }),
    });
    expect(res.status).toBe(201);
    const merchant = await res.json();
    expect(merchant.secretKey.key).toMatch(/^sk_test_/);
    const keys = await fetch(`${gateway}/v1/api-keys`, {
      headers: { authorization: `Bearer ${merchant.secretKey.key}` },
    });
    expect(keys.status).toBe(200);

    const wrong = await fetch(`${gateway}/v1/merchants/${merchant.id}`, {
      headers: { authorization: `Bearer ${credentials.operatorKey}0` },
    });
    expect(wrong.status).toBe(401);
  });

  it("the demo creator keys open creator sessions", async () => {
    const credentials = await platform.credentials<Credentials>();
    const creator = credentials.creators[0];
    expect(creator?.creatorKey).toMatch(/^ck_test_[0-9a-f]{40}$/);
    expect(platform.output()).toContain(creator?.creatorKey);
    const res = await fetch(`${gateway}/v1/creator-sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ creatorKey: creator?.creatorKey }),
    });
    expect(res.status).toBe(201);
    expect((await res.json()).creator.id).toBe(creator?.id);
  });

  it("npm run keys:rotate makes a new current key and keeps the old one as previous", async () => {
    const jwks = await (await fetch(`${gateway}/.well-known/jwks.json`)).json();
    const before: string = jwks.keys[0].kid;
    // The database token, minted from the key pair npm start keeps in the data folder.
    const jwk = JSON.parse(await readFile(path.join(platform.dataDir, "libsql-auth-key.json"), "utf8")) as JWK;
    const token = await new SignJWT({ a: "rw" })
      .setProtectedHeader({ alg: "EdDSA" })
      .setExpirationTime("5m")
      .sign(await importJWK(jwk, "EdDSA"));
    const { stdout } = await run("npm", ["run", "--silent", "keys:rotate"], {
      env: { ...process.env, LIBSQL_URL: platform.libsqlUrl, LIBSQL_AUTH_TOKEN: token },
    });
    expect(stdout).toContain("signing keys rotated");
    expect(stdout).toMatch(new RegExp(`previous +${before}`));
    expect(stdout).toMatch(/current +ed25519_\S+ +\(new\)/);
  });
});
