// The platform's Workers, in the order `wrangler dev` takes their configs: the gateway first, since it gets the port.
export interface WorkerInfo {
  name: "gateway" | "catalog" | "search" | "checkout" | "live";
  config: string;
  dir: string;
}

export const workers: readonly WorkerInfo[] = [
  { name: "gateway", config: "wrangler.toml", dir: "workers/gateway" },
  { name: "catalog", config: "workers/catalog/wrangler.toml", dir: "workers/catalog" },
  { name: "search", config: "workers/search/wrangler.toml", dir: "workers/search" },
  { name: "checkout", config: "workers/checkout/wrangler.toml", dir: "workers/checkout" },
  { name: "live", config: "workers/live/wrangler.toml", dir: "workers/live" },
];
