// The typed zhongcao client (openapi-fetch over the generated schema): paths, parameters, bodies and answers are
// checked by TypeScript against the API document, so a storefront or a test cannot call what the API does not have.
//   const api = zhongcao("http://127.0.0.1:8787", { publishableKey: "pk_test_…" });
//   const { data, error } = await api.GET("/v1/products/{id}", { params: { path: { id } } });
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.d.ts";

export type { components, paths };

export function zhongcao(baseUrl: string, credentials: { publishableKey?: string; bearer?: string } = {}) {
  const headers: Record<string, string> = {};
  if (credentials.publishableKey) headers["x-publishable-key"] = credentials.publishableKey;
  if (credentials.bearer) headers.authorization = `Bearer ${credentials.bearer}`;
  return createClient<paths>({ baseUrl, headers });
}
