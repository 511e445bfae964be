// The platform's Workers, in the order `wrangler dev` takes their configs: the gateway first, since it gets the port.
export interface WorkerInfo {
  name: "gateway" | "catalog" | "search" | "checkout" | "live";
  /** The Worker's name in its wrangler.toml, which service bindings name. */
  service: string;
  config: string;
  dir: string;
}

export const workers: readonly WorkerInfo[] = [
  { name: "gateway", service: "zhongcao-gateway", config: "wrangler.toml", dir: "workers/gateway" },
  { name: "catalog", service: "zhongcao-catalog", config: "workers/catalog/wrangler.toml", dir: "workers/catalog" },
  { name: "search", service: "zhongcao-search", config: "workers/search/wrangler.toml", dir: "workers/search" },
  { name: "checkout", service: "zhongcao-checkout", config: "workers/checkout/wrangler.toml", dir: "workers/checkout" },
  { name: "live", service: "zhongcao-live", config: "workers/live/wrangler.toml", dir: "workers/live" },
];
