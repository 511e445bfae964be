// The TypeScript settings @zhongcao/client's declarations are built with and a storefront's project checks them with:
// the same module resolution, target and libraries on both sides, so the package is tested as it is published.
import path from "node:path";

export const tscPath = path.resolve(import.meta.dirname, "../node_modules/typescript/bin/tsc");

export const clientTarget = [
  "--module",
  "nodenext",
  "--moduleResolution",
  "nodenext",
  "--target",
  "es2022",
  "--lib",
  "es2022,dom",
];
