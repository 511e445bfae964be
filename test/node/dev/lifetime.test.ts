// Nothing outlives the command that started it: `npm start` killed with SIGKILL, or a test run interrupted while a
// test's platform is up, leaves no process behind (workerd included) and no port held. Each case starts a full
// platform (tens of seconds on a small machine); the bounds below are liveness bounds, not timings.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type NpmStart, npmStart } from "../e2e/npm-start.ts";
import { freePort } from "../ports.ts";
import { commandOf, killAll, listProcesses, type Proc, processTree, stillRunning } from "../process-tree.ts";

const PLATFORM_TIMEOUT = 300_000;

/** A started child's pid (never 0 or undefined: a signal to 0 would reach this process's own group). */
function pidOf(child: ChildProcess): number {
  if (child.pid === undefined || child.pid <= 0) throw new Error("the child process did not start");
  return child.pid;
}

/** The tree must hold the whole platform, or the check after the kill proves nothing. */
function expectWholePlatform(tree: Proc[]): void {
  const commands = tree.map(commandOf);
  for (const part of [/^\S*node dev\/start\.ts/, /libsql-server\/main\.ts/, /dev\/bundles\.ts/, /workerd serve/]) {
    expect(
      commands.some((c) => part.test(c)),
      `${part} in\n${listProcesses(tree)}`,
    ).toBe(true);
  }
}

async function expectAllEnded(tree: Proc[], withinMs: number): Promise<void> {
  const left = await stillRunning(tree, withinMs);
  expect(listProcesses(left), `still running after ${withinMs} ms`).toBe("");
}

// Each kill of one process of the tree; every next start on the same ports and data folder shows nothing held them.
const victims = [
  { name: "npm", matches: (command: string) => /^npm start/.test(command) },
  { name: "node dev/start.ts", matches: (command: string) => /^\S*node dev\/start\.ts/.test(command) },
  // workerd, its child, does not notice its parent's death: the runtime's process group does.
  { name: "node dev/bundles.ts", matches: (command: string) => /^\S*node dev\/bundles\.ts/.test(command) },
];

describe("npm start killed with SIGKILL", () => {
  it(
    "takes its whole tree down within 5 s, and the next npm start on the same ports and data folder comes up",
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "zhongcao-lifetime-"));
      const at = { port: await freePort(), libsqlPort: await freePort(), dataDir };
      const started: NpmStart[] = [];
      const seen: Proc[] = [];
      try {
        for (const victim of victims) {
          const platform = await npmStart("sigkill", at);
          started.push(platform);
          expect((await fetch(`${platform.gateway}/health`)).status).toBe(200);
          const tree = processTree(pidOf(platform.child));
          seen.push(...tree);
          expectWholePlatform(tree);
          const target = tree.find((p) => victim.matches(commandOf(p)));
          if (target === undefined) throw new Error(`no ${victim.name} in\n${listProcesses(tree)}`);
          process.kill(target.pid, "SIGKILL");
          await expectAllEnded(tree, 5000);
        }
      } finally {
        for (const platform of started) await platform.stop("SIGKILL");
        killAll(seen);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PLATFORM_TIMEOUT,
  );
});

const vitestBin = path.resolve("node_modules/vitest/vitest.mjs");
const fixtures = "test/node/dev/fixtures/interrupted-run";

interface FixtureRun {
  run: ChildProcess;
  ended: Promise<void>;
  output(): string;
  /** Once the fixture's platform is up: npm's pid and its data folder. */
  state: Promise<{ npmPid: number; dataDir: string }>;
  goFile: string;
  /** Kills whatever of the run and `tree` is left, removes the fixture's files and its platform's data folder. */
  cleanUp(tree: Proc[]): Promise<void>;
}

/** `vitest run` of one fixture file, a run of its own (detached, nothing of this run's vitest in its environment). */
async function fixtureRun(file: string): Promise<FixtureRun> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhongcao-fixture-run-"));
  const stateFile = path.join(dir, "state.json");
  const goFile = path.join(dir, "go");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  const run = spawn(
    process.execPath,
    [vitestBin, "run", "--config", path.resolve(fixtures, "vitest.config.ts"), `${fixtures}/${file}`],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, FIXTURE_STATE_FILE: stateFile, FIXTURE_GO_FILE: goFile },
    },
  );
  let output = "";
  run.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  run.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const ended = new Promise<void>((resolve) => run.once("exit", () => resolve()));
  const state = (async () => {
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      if (run.exitCode !== null || run.signalCode !== null) {
        throw new Error(`the fixture run ended (${run.exitCode ?? run.signalCode}):\n${output}`);
      }
      const text = await readFile(stateFile, "utf8").catch(() => "");
      if (text) return JSON.parse(text) as { npmPid: number; dataDir: string };
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the fixture's platform did not come up within 240 s:\n${output}`);
  })();
  state.catch(() => {});
  return {
    run,
    ended,
    output: () => output,
    state,
    goFile,
    async cleanUp(tree) {
      if (run.pid !== undefined && run.pid > 0) {
        try {
          process.kill(-run.pid, "SIGKILL");
        } catch {
          // ended
        }
      }
      killAll(tree);
      const dataDir = await state.then((s) => s.dataDir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe("a test run", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "interrupted with %s stops every platform its tests started, whole trees",
    async (signal) => {
      const fixture = await fixtureRun("platform.fixture.ts");
      let tree: Proc[] = [];
      try {
        const state = await fixture.state;
        tree = processTree(pidOf(fixture.run));
        expectWholePlatform(tree);
        expect(tree.map((p) => p.pid)).toContain(state.npmPid);
        // To vitest alone, as `kill` does: the platform is in process groups of its own, which no signal reaches.
        process.kill(pidOf(fixture.run), signal);
        await expectAllEnded(tree, 10_000);
        await fixture.ended;
      } finally {
        await fixture.cleanUp(tree);
      }
    },
    PLATFORM_TIMEOUT,
  );

  it(
    "whose setup fails after its platform came up, never stopping it, ends with nothing left",
    async () => {
      const fixture = await fixtureRun("abandoned.fixture.ts");
      let tree: Proc[] = [];
      try {
        await fixture.state;
        tree = processTree(pidOf(fixture.run));
        expectWholePlatform(tree);
        await writeFile(fixture.goFile, "");
        await Promise.race([fixture.ended, new Promise((r) => setTimeout(r, 60_000))]);
        expect(fixture.run.exitCode, fixture.output()).toBe(1);
        await expectAllEnded(tree, 10_000);
      } finally {
        await fixture.cleanUp(tree);
      }
    },
    PLATFORM_TIMEOUT,
  );
});
