// The closing line of `npm test` (test/summary-reporter.ts) never says `0 failed` for a run that failed: child vitest
// runs over the fixtures in test/fixtures/summary/, one way of failing each.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const vitest = path.resolve("node_modules/vitest/vitest.mjs");
const config = path.resolve("test/fixtures/summary/vitest.config.ts");

async function run(file: string, globalSetup?: string): Promise<{ code: number | null; lastLine: string }> {
  const child = spawn(process.execPath, [vitest, "run", "--config", config, file], {
    env: { ...process.env, SUMMARY_FIXTURE_SETUP: globalSetup ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, lastLine: output.trimEnd().split("\n").at(-1) ?? "" };
}

describe("the closing line", () => {
  it("reads `N passed, 0 failed` for a run that passes, and the run exits 0", async () => {
    expect(await run("passes")).toEqual({ code: 0, lastLine: "1 passed, 0 failed" });
  });

  it.each([
    ["a file that fails to load", "does-not-load", undefined, "0 passed, 1 failed"],
    ["a beforeAll that throws", "before-all-throws", undefined, "0 passed, 1 failed, 1 skipped"],
    ["an afterAll that throws after its test passed", "after-all-throws", undefined, "1 passed, 1 failed"],
    ["a global setup that throws", "passes", "./global-setup-throws.ts", "0 passed, 1 failed"],
    [
      "a global teardown that throws after the tests passed",
      "passes",
      "./global-teardown-throws.ts",
      "1 passed, 1 failed",
    ],
  ])("counts %s as failed, and the run exits 1", async (_what, file, globalSetup, lastLine) => {
    expect(await run(file, globalSetup)).toEqual({ code: 1, lastLine });
  });
});
