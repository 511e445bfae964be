// Latency samples → throughput and percentiles, and a Markdown table, for every benchmark.
export interface Result {
  name: string;
  clients: number;
  ops: number;
  seconds: number;
  latenciesMs: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export interface Row {
  name: string;
  clients: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
}

export function summarise(result: Result): Row {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    name: result.name,
    clients: result.clients,
    opsPerSecond: result.ops / result.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/** Runs `op` from `clients` concurrent loops until `ops` operations are done; each loop owns its client. */
export async function measure(
  name: string,
  clients: number,
  ops: number,
  op: (client: number, i: number) => Promise<unknown> | unknown,
): Promise<Result> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < ops) {
        const i = next++;
        const t = performance.now();
        await op(client, i);
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  return { name, clients, ops, seconds: (performance.now() - started) / 1000, latenciesMs };
}

const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A Markdown table: each measured row beside its baseline row, with the ratio of throughputs. */
export function table(rows: { row: Row; baseline: Row }[]): string {
  const lines = [
    "| operation | clients | req/s | p50 ms | p99 ms | baseline | baseline req/s | baseline p50 ms | ratio (req/s ÷ baseline) |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|",
  ];
  for (const { row, baseline } of rows) {
    lines.push(
      `| ${row.name} | ${row.clients} | ${fmt(row.opsPerSecond, 0)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${baseline.name} | ${fmt(baseline.opsPerSecond, 0)} | ${fmt(baseline.p50, 3)} | ${fmt(row.opsPerSecond / baseline.opsPerSecond, 3)} |`,
    );
  }
  return lines.join("\n");
}
