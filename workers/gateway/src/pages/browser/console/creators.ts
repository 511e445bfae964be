// Creators in the console (达人合作): the merchant's affiliate plans (a new open plan, ending one), sample requests
// (approve, decline, ship through the inventory ledger; overdue notes flagged) and paid collaborations with their
// applications (accept, decline, approve a submitted note, ask for changes).
import { h, listOrNone } from "../dom.ts";
import { dateTime, money } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, fen, field, form, input, section, table, text } from "./ui.ts";

const planStatus = { scheduled: "未开始", running: "进行中", ended: "已结束" } as Record<string, string>;
const sampleStatus: Record<string, string> = {
  requested: "待审核",
  approved: "待发货",
  declined: "已拒绝",
  shipped: "已发货",
  received: "已签收",
};
const applicationStatus: Record<string, string> = {
  applied: "待审核",
  accepted: "已接受",
  declined: "已拒绝",
  submitted: "已提交笔记",
  changes_requested: "待修改",
  approved: "已通过",
  cancelled: "已取消",
};

async function plans(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const page = unwrap(await api.GET("/v1/affiliate-plans", { params: { query: { limit: 50 } } }));
  return section(
    { id: "affiliate-plans", label: "带货计划" },
    table(
      ["类型", "佣金", "商品", "达人", "时间", "状态", ""],
      page.data.map((plan) => [
        plan.type === "open" ? "公开" : "定向",
        `${plan.commissionRateBps / 100}%`,
        plan.productIds ? plan.productIds.length : "全部",
        plan.creators ? plan.creators.length : "—",
        `${dateTime(plan.startsAt)}${plan.endsAt ? ` – ${dateTime(plan.endsAt)}` : ""}`,
        planStatus[plan.status] ?? plan.status,
        plan.status === "ended"
          ? null
          : action("结束", () =>
              write(api.POST("/v1/affiliate-plans/{id}/end", { params: { path: { id: plan.id } } })),
            ),
      ]),
      { class: "list" },
    ),
    form(
      { id: "plan-form" },
      "发布公开计划",
      (data) =>
        write(
          api.POST("/v1/affiliate-plans", {
            headers: idempotent(),
            body: {
              type: "open",
              commissionRateBps: Math.round(Number(text(data, "rate")) * 100),
              startsAt: new Date().toISOString(),
            },
          }),
        ),
      field("佣金比例（%，全部商品）", input("rate", { required: "", inputmode: "decimal", value: "10" })),
    ),
  );
}

async function samples(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const page = unwrap(await api.GET("/v1/sample-requests", { params: { query: { limit: 50 } } }));
  return section(
    { id: "sample-requests", label: "寄样", heading: "寄样申请" },
    listOrNone(page.data, "还没有寄样申请", h("div"), (r) =>
      h(
        "div",
        { class: "card", "data-sample": r.id },
        h(
          "p",
          {},
          h("strong", {}, sampleStatus[r.status] ?? r.status),
          r.overdue ? h("span", { class: "badge failing" }, " 笔记逾期") : null,
          ` · ${r.creatorId} · ${dateTime(r.createdAt)}`,
        ),
        h("p", { class: "meta" }, r.pitch),
        r.fulfillingNoteId ? h("p", {}, "已发笔记 ", h("code", {}, r.fulfillingNoteId)) : null,
        r.status === "requested"
          ? h(
              "p",
              {},
              action("同意", () =>
                write(
                  api.POST("/v1/sample-requests/{id}/approve", {
                    params: { path: { id: r.id } },
                    body: {},
                  }),
                ),
              ),
              action("拒绝", () =>
                write(
                  api.POST("/v1/sample-requests/{id}/decline", {
                    params: { path: { id: r.id } },
                    body: { reason: "暂不合作" },
                  }),
                ),
              ),
            )
          : null,
        r.status === "approved"
          ? form(
              { class: "ship-form" },
              "发货",
              (data) =>
                write(
                  api.POST("/v1/sample-requests/{id}/ship", {
                    params: { path: { id: r.id } },
                    headers: idempotent(),
                    body: { carrier: text(data, "carrier"), trackingNumber: text(data, "trackingNumber") },
                  }),
                ),
              field("快递公司", input("carrier", { required: "", placeholder: "顺丰" })),
              field("运单号", input("trackingNumber", { required: "" })),
            )
          : null,
      ),
    ),
  );
}

async function collaborations(api: Api, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const briefs = unwrap(await api.GET("/v1/collaborations", { params: { query: { limit: 20 } } })).data;
  const applications = await Promise.all(
    briefs.map(
      async (brief) =>
        unwrap(
          await api.GET("/v1/collaborations/{id}/applications", {
            params: { path: { id: brief.id }, query: { limit: 50 } },
          }),
        ).data,
    ),
  );
  const step = (id: string, verb: "accept" | "decline" | "approve" | "cancel") => () =>
    write(api.POST(`/v1/collaboration-applications/{id}/${verb}`, { params: { path: { id } } }));
  return section(
    { id: "collaborations", label: "付费合作" },
    ...briefs.map((brief, i) =>
      h(
        "div",
        { class: "card", "data-collaboration": brief.id },
        h("h3", {}, brief.title, ` · 每篇 ${money(brief.feePerNote)} · ${brief.slots} 个名额`),
        h(
          "p",
          { class: "meta" },
          `预算 ${money(brief.budget)} · 已预留 ${money(brief.reserved)} · 待付 ${money(brief.payable)} · 可用 ${money(brief.available)} · 截止 ${dateTime(brief.deadline)}`,
        ),
        table(
          ["达人", "状态", "笔记", ""],
          (applications[i] ?? []).map((a) => [
            a.creatorId,
            applicationStatus[a.status] ?? a.status,
            a.noteId ? h("code", {}, a.noteId) : "—",
            h(
              "span",
              {},
              a.status === "applied" ? action("接受", step(a.id, "accept")) : null,
              a.status === "applied" ? action("拒绝", step(a.id, "decline")) : null,
              a.status === "submitted" ? action("通过", step(a.id, "approve")) : null,
              a.status === "submitted"
                ? action("要求修改", () =>
                    write(
                      api.POST("/v1/collaboration-applications/{id}/request-changes", {
                        params: { path: { id: a.id } },
                        body: { feedback: "请补充使用感受" },
                      }),
                    ),
                  )
                : null,
            ),
          ]),
        ),
      ),
    ),
    form(
      { id: "collaboration-form" },
      "发布合作",
      (data) =>
        write(
          api.POST("/v1/collaborations", {
            headers: idempotent(),
            body: {
              title: text(data, "title"),
              brief: text(data, "brief"),
              productIds: [text(data, "productId")],
              feePerNote: { amount: fen(text(data, "fee")), currency: "CNY" },
              slots: Number(text(data, "slots")),
              deadline: new Date(Date.now() + Number(text(data, "days") || 14) * 86_400_000).toISOString(),
            },
          }),
        ),
      h("h3", {}, "发布新的合作"),
      field("标题", input("title", { required: "" })),
      field("要求", h("textarea", { name: "brief", rows: "3", required: "" })),
      field("商品 ID", input("productId", { required: "", placeholder: "prod_…" })),
      field("每篇费用（元）", input("fee", { required: "", inputmode: "decimal" })),
      field("名额", input("slots", { type: "number", min: "1", value: "3" })),
      field("截止（天后）", input("days", { type: "number", min: "1", value: "14" })),
    ),
  );
}

export async function creatorSection(api: Api, reload: () => void): Promise<HTMLElement> {
  const [a, b, c] = await Promise.all([plans(api, reload), samples(api, reload), collaborations(api, reload)]);
  return h("div", { id: "creators" }, a, b, c);
}
