// Live sessions in the console: the merchant's sessions with their viewers, a new one with its cover and shelf, going
// live and ending, and pinning a shelf product in the room (the host's socket, as the room protocol has it).
import type { components } from "#shared/client/schema.d.ts";
import { h } from "../dom.ts";
import { dateTime, imageAt } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, field, form, input, section } from "./ui.ts";
import { uploadAll } from "./uploads.ts";

type ClientFrame = components["schemas"]["LiveRoomClientFrame"];

const statusText = { scheduled: "未开播", live: "直播中", ended: "已结束", cancelled: "已取消" } as const;

/** Opens the host's room socket, sends one frame, and closes it once the room has taken it. */
async function sendAsHost(api: Api, sessionId: string, frame: ClientFrame): Promise<void> {
  const token = unwrap(
    await api.POST("/v1/live/sessions/{id}/token", { params: { path: { id: sessionId } }, body: {} }),
  );
  const url = new URL(token.roomUrl, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", token.roomToken);
  await new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { type: string };
      if (message.type === "welcome") socket.send(JSON.stringify(frame));
      else if (message.type === "pinned" || message.type === "error") {
        socket.close();
        if (message.type === "error") reject(message);
        else resolve();
      }
    });
    socket.addEventListener("error", () => reject(new Error("直播间连接失败")));
  });
}

export async function liveSessions(api: Api, merchantId: string, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const [sessions, products] = await Promise.all([
    api.GET("/v1/live/sessions", { params: { query: { limit: 20, hostId: merchantId } } }),
    api.GET("/v1/products", { params: { query: { limit: 100, status: "active" } } }),
  ]);
  const list = unwrap(sessions).data;
  const shelfChoices = unwrap(products).data;
  const titleOf = new Map(shelfChoices.map((p) => [p.id, p.title]));
  const cover = input("cover", { type: "file", accept: "image/jpeg,image/png,image/webp,image/avif" });
  return section(
    { id: "live", label: "直播" },
    ...list.map((s) =>
      h(
        "div",
        { class: "card", "data-session": s.id },
        s.coverUrl ? h("img", { class: "thumb", src: imageAt(s.coverUrl, 240), alt: s.title }) : null,
        h("h3", {}, s.title, " ", h("span", { class: `badge ${s.status}` }, statusText[s.status])),
        h("p", { class: "meta" }, `${dateTime(s.startedAt ?? s.scheduledStartAt)} · 观看 ${s.viewerCount} 人`),
        s.status === "scheduled"
          ? action("开播", () => write(api.POST("/v1/live/sessions/{id}/start", { params: { path: { id: s.id } } })))
          : null,
        s.status === "live"
          ? action("结束直播", () => write(api.POST("/v1/live/sessions/{id}/end", { params: { path: { id: s.id } } })))
          : null,
        s.status === "live"
          ? h(
              "p",
              {},
              "讲解：",
              ...s.productIds.map((productId) =>
                action(titleOf.get(productId) ?? productId, () => sendAsHost(api, s.id, { type: "pin", productId }), {
                  class: "pin",
                  "data-product": productId,
                }),
              ),
            )
          : null,
      ),
    ),
    form(
      { id: "live-form" },
      "预约直播",
      async (data) => {
        const [coverId] = await uploadAll(api, cover.files);
        return write(
          api.POST("/v1/live/sessions", {
            headers: idempotent(),
            body: {
              title: String(data.get("title")),
              scheduledStartAt: new Date(String(data.get("startsAt"))).toISOString(),
              productIds: data.getAll("productIds").map(String),
              moderatorIds: [],
              keywordFilter: [],
              ...(coverId ? { coverUrl: coverId } : {}),
            },
          }),
        );
      },
      h("h3", {}, "预约新直播"),
      field("标题", input("title", { required: "", maxlength: "100" })),
      field("开播时间", input("startsAt", { type: "datetime-local", required: "" })),
      field("封面", cover),
      h(
        "fieldset",
        {},
        h("legend", {}, "货架"),
        ...shelfChoices.map((p) => field(p.title, input("productIds", { type: "checkbox", value: p.id }))),
      ),
    ),
  );
}
