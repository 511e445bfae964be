// The live room page: joins the room socket (a viewer token from POST /v1/live/sessions/{id}/token, then the
// roomUrl with the roomToken) and shows what the room broadcasts: comments, the like total, the viewer count and the
// pinned product with its flash-sale countdown, whose buy button reserves, pays and opens the confirmed order.
import type { components } from "#shared/client/schema.d.ts";
import { h, show } from "./dom.ts";
import { countdown, dateTime, imageAt, money, problemText } from "./format.ts";
import { buy, reserve } from "./purchase.ts";
import { publicApi, shopperApi } from "./shopper.ts";

type ServerFrame = components["schemas"]["LiveRoomServerFrame"];
type ClientFrame = components["schemas"]["LiveRoomClientFrame"];
type Welcome = Extract<ServerFrame, { type: "welcome" }>;
type Pinned = Welcome["state"]["pinned"];
type Comment = Welcome["state"]["comments"][number];

const statusText = { scheduled: "未开播", live: "直播中", ended: "已结束", cancelled: "已取消" } as const;

/** Renders the room into `view`; returns what leaving the page must do (close the socket, stop the timers). */
export async function liveRoom(view: HTMLElement, key: string, id: string): Promise<() => void> {
  const session = await publicApi(key).GET("/v1/live/sessions/{id}", { params: { path: { id } } });
  if (!session.data) throw session.error;
  const { api } = await shopperApi(key);
  const token = await api.POST("/v1/live/sessions/{id}/token", { params: { path: { id } }, body: {} });
  if (!token.data) throw token.error;

  const status = h(
    "span",
    { class: `badge ${session.data.status}`, id: "room-status" },
    statusText[session.data.status],
  );
  const viewers = h("strong", { id: "viewers" }, "0");
  const likes = h("strong", { id: "likes" }, "0");
  const likeButton = h("button", { id: "like-button", type: "button", "aria-label": "点赞" }, "♥ 点赞");
  const pinned = h(
    "section",
    { id: "pinned", class: "pinned", "aria-label": "讲解中的商品" },
    "主播还没有上架讲解商品",
  );
  const comments = h("ol", { id: "comments", class: "comments" });
  const input = h("input", {
    name: "body",
    maxlength: "200",
    placeholder: "说点什么…",
    "aria-label": "评论",
    required: "",
  });
  const form = h("form", { id: "comment-form", class: "comment-form" }, input, h("button", { type: "submit" }, "发送"));
  const notice = h("p", { id: "room-notice", class: "notice", role: "status" });
  show(
    view,
    h(
      "article",
      { class: "room" },
      // The stage: the session's cover and status (the stream itself plays where a LiveKit server is configured).
      h(
        "div",
        { class: "stage", id: "stage" },
        session.data.coverUrl
          ? h("img", { src: imageAt(session.data.coverUrl, 960), alt: session.data.title, decoding: "async" })
          : null,
        h("span", { class: "stage-status" }, statusText[session.data.status]),
      ),
      h("h1", {}, session.data.title, " ", status),
      h("p", { class: "stats" }, "观看 ", viewers, " 人 · 点赞 ", likes, " ", likeButton),
      pinned,
      notice,
      h("section", { class: "chat", "aria-label": "评论" }, comments, form),
    ),
  );

  let leaveStream: (() => void) | undefined;
  const stage = view.querySelector<HTMLElement>("#stage");
  if (stage) void joinStream(stage, token.data.sfuUrl, token.data.token).then((leave) => (leaveStream = leave));

  const socket = new WebSocket(`${token.data.roomUrl}?token=${encodeURIComponent(token.data.roomToken)}`);
  const send = (frame: ClientFrame) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };

  const addComment = (c: Comment) => {
    comments.append(h("li", { "data-id": c.id }, h("b", {}, c.name), "：", c.body));
    while (comments.children.length > 200) comments.firstElementChild?.remove();
    comments.scrollTop = comments.scrollHeight;
  };

  // Taps are sent as one `like {count}` at most once per likeIntervalMs, as the room asks.
  let likeIntervalMs = 250;
  let pendingLikes = 0;
  let lastLikeSent = 0;
  let likeTimer: ReturnType<typeof setTimeout> | undefined;
  const flushLikes = () => {
    likeTimer = undefined;
    if (pendingLikes === 0) return;
    send({ type: "like", count: Math.min(pendingLikes, 1000) });
    pendingLikes = 0;
    lastLikeSent = Date.now();
  };
  likeButton.addEventListener("click", () => {
    pendingLikes++;
    likeTimer ??= setTimeout(flushLikes, Math.max(0, lastLikeSent + likeIntervalMs - Date.now()));
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (body) send({ type: "comment", body });
    input.value = "";
  });

  // The pinned product's countdown runs on the room's clock (serverTime), not the shopper's.
  let current: Pinned = null;
  let clockOffset = 0;
  let buying = false;
  const countdownText = h("span", { id: "countdown" });
  const buyButton = h("button", { id: "buy", type: "button", class: "buy" }, "立即抢购");
  const tick = () => {
    const sale = current?.flashSale;
    if (!sale) return;
    const now = Date.now() + clockOffset;
    const starts = Date.parse(sale.startsAt);
    const ends = Date.parse(sale.endsAt);
    if (now < starts) countdownText.textContent = `距开抢 ${countdown(starts - now)}`;
    else if (now < ends) countdownText.textContent = `距结束 ${countdown(ends - now)}`;
    else countdownText.textContent = "已结束";
    buyButton.disabled = buying || now < starts || now >= ends || sale.stockLeft <= 0;
  };
  const timer = setInterval(tick, 500);

  const renderPinned = (product: Pinned, serverTime?: string) => {
    current = product;
    if (serverTime) clockOffset = Date.parse(serverTime) - Date.now();
    if (!product) {
      show(pinned, "主播还没有上架讲解商品");
      return;
    }
    const sale = product.flashSale;
    show(
      pinned,
      h(
        "h2",
        {},
        h(
          "a",
          { href: `#/product/${product.productId}?attribution=${encodeURIComponent(product.attribution)}` },
          product.title,
        ),
      ),
      sale
        ? h(
            "p",
            { class: "flash" },
            h("span", { class: "badge live" }, "秒杀"),
            " ",
            h("strong", { id: "flash-price" }, money(sale.price)),
            product.price ? h("del", {}, money(product.price)) : null,
            " · 剩余 ",
            h("span", { id: "stock-left" }, sale.stockLeft),
            " 件 · ",
            countdownText,
          )
        : h("p", {}, product.price ? money(product.price) : ""),
      sale ? buyButton : null,
    );
    tick();
  };

  buyButton.addEventListener("click", async () => {
    const product = current;
    const sale = product?.flashSale;
    if (!product || !sale || buying) return;
    buying = true;
    tick();
    const progress = (text: string) => {
      notice.textContent = text;
    };
    try {
      const shopper = await shopperApi(key);
      progress("正在锁定库存…");
      const hold = await reserve(shopper.api, sale.id, progress);
      progress("已抢到，正在下单…");
      const order = await buy(
        shopper.api,
        { skuId: hold.skuId, flashSaleId: sale.id, holdId: hold.id, attribution: product.attribution },
        progress,
      );
      location.hash = `#/order/${order.id}`;
    } catch (error) {
      progress(`购买失败：${problemText(error)}`);
    } finally {
      buying = false;
      tick();
    }
  });

  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data)) as ServerFrame;
    switch (frame.type) {
      case "welcome":
        viewers.textContent = String(frame.state.viewers.current);
        likes.textContent = String(frame.state.likes);
        likeIntervalMs = frame.state.viewers.likeIntervalMs;
        show(comments);
        for (const c of frame.state.comments.slice().reverse()) addComment(c);
        renderPinned(frame.state.pinned, frame.state.pinned?.serverTime);
        break;
      case "comment":
        addComment(frame.comment);
        break;
      case "comment_deleted":
        comments.querySelector(`[data-id="${CSS.escape(frame.commentId)}"]`)?.remove();
        break;
      case "likes":
        likes.textContent = String(frame.total);
        break;
      case "viewers":
        viewers.textContent = String(frame.current);
        likeIntervalMs = frame.likeIntervalMs;
        break;
      case "pinned":
        renderPinned(frame.product, frame.product?.serverTime);
        break;
      case "announcement":
        notice.textContent = `📢 ${frame.name}：${frame.body}`;
        break;
      case "status":
        status.textContent = statusText[frame.status];
        status.className = `badge ${frame.status}`;
        break;
      case "error":
        notice.textContent = frame.message;
        break;
      case "muted":
        notice.textContent = frame.until ? `你已被禁言至 ${dateTime(frame.until)}` : "你已被禁言";
        break;
      default:
        break;
    }
  });
  socket.addEventListener("close", () => {
    if (status.textContent === statusText.live) notice.textContent = "连接已断开，刷新页面重新进入直播间";
  });

  return () => {
    clearInterval(timer);
    if (likeTimer) clearTimeout(likeTimer);
    flushLikes();
    socket.close();
    leaveStream?.();
  };
}

/**
 * Plays the room's video in `stage` when the page allows its video server (the document names it in
 * <meta name="livekit-url">, which the CSP's connect-src then admits, see pages/routes.ts) and that server answers;
 * otherwise the stage keeps the session's cover and status. The SDK is fetched only then (/pages/live-video.js).
 */
async function joinStream(stage: HTMLElement, sfuUrl: string, token: string): Promise<(() => void) | undefined> {
  const allowed = document.querySelector<HTMLMetaElement>('meta[name="livekit-url"]')?.content;
  if (!token || !allowed || new URL(sfuUrl).origin !== new URL(allowed).origin) return undefined;
  try {
    // LiveKit answers plain HTTP on its WebSocket port: one request tells whether it is there at all.
    await fetch(sfuUrl.replace(/^ws/, "http"), { mode: "no-cors", cache: "no-store" });
  } catch {
    return undefined;
  }
  try {
    // A path the bundler leaves alone: the gateway serves the SDK's own bundle there.
    const module = "/pages/live-video.js";
    const { playStream } = (await import(module)) as typeof import("./live-video.ts");
    return await playStream(stage, sfuUrl, token);
  } catch {
    stage.dataset.stream = "unavailable";
    return undefined;
  }
}
