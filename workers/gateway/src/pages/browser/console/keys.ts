// API keys in the console: the merchant's keys (never their secrets), a new secret key with chosen scopes or a new
// publishable key (shown once), and revoking one. The API refuses what the signed-in key may not grant.
import { scopes } from "#shared/scopes.ts";
import { h } from "../dom.ts";
import { dateTime } from "../format.ts";
import { type Api, reloadAfter, unwrap } from "./api.ts";
import { action, field, form, input, section, select, table } from "./ui.ts";

export async function keys(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const page = unwrap(await api.GET("/v1/api-keys", { params: { query: { limit: 100 } } }));
  return section(
    { id: "keys", label: "API 密钥" },
    table(
      ["前缀", "类型", "权限", "创建", "最近使用", ""],
      page.data.map((k) => [
        h("code", {}, k.displayPrefix),
        k.kind === "secret" ? "密钥" : "可发布密钥",
        k.scopes.join(" "),
        dateTime(k.createdAt),
        k.lastUsedAt ? dateTime(k.lastUsedAt) : "—",
        k.revokedAt
          ? `已吊销 ${dateTime(k.revokedAt)}`
          : action("吊销", () => write(api.DELETE("/v1/api-keys/{id}", { params: { path: { id: k.id } } })), {
              class: "revoke",
              "data-key": k.id,
            }),
      ]),
      { id: "key-list" },
    ),
    form(
      { id: "key-form" },
      "创建",
      async (data) => {
        const kind = String(data.get("kind"));
        const created = unwrap(
          await api.POST("/v1/api-keys", {
            body:
              kind === "secret"
                ? { kind: "secret", scopes: data.getAll("scopes").map(String) as ["orders:read"] }
                : { kind: "publishable", allowedOrigins: [location.origin] },
          }),
        );
        return `已创建（只显示这一次）：${created.key}`;
      },
      h("h3", {}, "新建密钥"),
      field(
        "类型",
        select("kind", [
          ["secret", "密钥（sk_…）"],
          ["publishable", "可发布密钥（pk_…，本站来源）"],
        ]),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "权限（密钥）"),
        ...scopes.map((s) => field(s, input("scopes", { type: "checkbox", value: s }))),
      ),
    ),
  );
}
