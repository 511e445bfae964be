// Health checks are bounded in time, so one slow dependency turns into "down" rather than a hung /health.
export interface Check {
  status: "ok" | "down";
  latencyMs: number;
  detail?: string;
}

export interface WorkerHealth {
  status: "ok" | "down";
  checks: Record<string, Check>;
}

export async function timedCheck(run: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { status: "down", latencyMs: Math.round(performance.now() - started), detail };
  } finally {
    clearTimeout(timer);
  }
}

export async function workerHealth(checks: Record<string, () => Promise<unknown>>): Promise<WorkerHealth> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, run]) => [name, await timedCheck(run)] as const),
  );
  const status = results.every(([, check]) => check.status === "ok") ? "ok" : "down";
  return { status, checks: Object.fromEntries(results) };
}
