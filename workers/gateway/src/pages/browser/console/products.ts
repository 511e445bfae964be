// Products in the console: the list (every status, searched by title as you type), a new product with uploaded
// pictures and its SKUs, and one product's page: its fields, pictures, SKU prices and stock moved through the ledger.
import type { components } from "#shared/client/schema.d.ts";
import { h } from "../dom.ts";
import { dateTime, imageAt, money } from "../format.ts";
import { type Api, idempotent, reloadAfter, unwrap } from "./api.ts";
import { action, fen, field, form, input, section, select, table, text } from "./ui.ts";
import { uploadAll } from "./uploads.ts";

type Product = components["schemas"]["Product"];

const statusText = { draft: "草稿", active: "在售", archived: "已下架" } as const;
const reasons: [string, string][] = [
  ["restock", "补货"],
  ["correction", "盘点更正"],
  ["damaged", "损坏"],
  ["lost", "丢失"],
  ["returned", "退回入库"],
  ["other", "其他"],
];

const thumbnail = (url: string | undefined, alt: string) =>
  url ? h("img", { class: "thumb", src: imageAt(url, 240), alt, loading: "lazy" }) : h("span", { class: "thumb" });

export async function productList(api: Api): Promise<HTMLElement> {
  const page = unwrap(await api.GET("/v1/products", { params: { query: { limit: 100 } } }));
  const filter = input("q", { type: "search", placeholder: "按标题搜索", "aria-label": "搜索商品" });
  const rows = page.data.map((p) =>
    h(
      "tr",
      { "data-product": p.id, "data-title": p.title.toLowerCase() },
      h("td", {}, thumbnail(p.images[0], p.title)),
      h("td", {}, h("a", { href: `#/products/${p.id}` }, p.title)),
      h("td", {}, statusText[p.status]),
      h("td", {}, p.skus.length),
      h(
        "td",
        {},
        p.skus.reduce((n, s) => n + (s.stock ?? 0), 0),
      ),
      h("td", {}, dateTime(p.updatedAt)),
    ),
  );
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    for (const row of rows) row.hidden = q !== "" && !(row.dataset.title ?? "").includes(q);
  });
  return h(
    "section",
    { id: "products", "aria-label": "商品" },
    h("h2", {}, "商品 ", h("a", { href: "#/products/new", class: "button" }, "新建商品")),
    filter,
    h(
      "table",
      { class: "list" },
      h("thead", {}, h("tr", {}, ...["", "标题", "状态", "规格", "库存", "更新"].map((t) => h("th", {}, t)))),
      h("tbody", {}, ...rows),
    ),
  );
}

/** One SKU's inputs in the new-product form: options as "颜色=正红, 尺寸=M", price in yuan, opening stock. */
function skuRow(index: number): HTMLElement {
  return h(
    "fieldset",
    { class: "sku-row" },
    h("legend", {}, `规格 ${index + 1}`),
    field("规格（名=值，逗号分隔）", input(`options-${index}`, { required: "", placeholder: "色号=01 正红" })),
    field("价格（元）", input(`price-${index}`, { required: "", inputmode: "decimal", placeholder: "89.00" })),
    field("库存", input(`stock-${index}`, { type: "number", min: "0", value: "0" })),
  );
}

const optionsOf = (value: string) =>
  Object.fromEntries(
    value
      .split(/[,，]/)
      .map((pair) => pair.split("=").map((s) => s.trim()))
      .filter(([k, v]) => k && v),
  );

export function newProduct(api: Api): HTMLElement {
  let skus = 1;
  const skuList = h("div", { class: "sku-list" }, skuRow(0));
  const addSku = h("button", { type: "button", id: "add-sku" }, "再加一个规格");
  addSku.addEventListener("click", () => skuList.append(skuRow(skus++)));
  const files = input("images", { type: "file", accept: "image/jpeg,image/png,image/webp,image/avif", multiple: "" });
  return section(
    { id: "new-product", label: "新建商品" },
    form(
      { id: "product-form" },
      "创建",
      async (data) => {
        const images = await uploadAll(api, files.files);
        const product = unwrap(
          await api.POST("/v1/products", {
            headers: idempotent(),
            body: {
              title: text(data, "title"),
              description: text(data, "description"),
              category: text(data, "category") || null,
              brand: null,
              allowsPromotion: true,
              commissionRateBps: null,
              status: text(data, "status") as "draft" | "active",
              images,
              skus: Array.from({ length: skus }, (_, i) => ({
                options: optionsOf(text(data, `options-${i}`)),
                price: { amount: fen(text(data, `price-${i}`)), currency: "CNY" as const },
                stock: Number(text(data, `stock-${i}`) || 0),
              })),
            },
          }),
        );
        location.hash = `#/products/${product.id}`;
        return undefined;
      },
      field("标题", input("title", { required: "", maxlength: "200" })),
      field("描述", h("textarea", { name: "description", rows: "3" })),
      field("类目", input("category", { placeholder: "skincare" })),
      field(
        "状态",
        select("status", [
          ["active", "在售"],
          ["draft", "草稿"],
        ]),
      ),
      field("图片（JPEG、PNG、WebP、AVIF，每张 ≤ 10 MB）", files),
      skuList,
      addSku,
    ),
  );
}

async function ledger(api: Api, skuId: string): Promise<HTMLElement> {
  const page = unwrap(
    await api.GET("/v1/skus/{id}/inventory-adjustments", { params: { path: { id: skuId }, query: { limit: 10 } } }),
  );
  return table(
    ["时间", "变动", "原因", "变动后"],
    page.data.map((row) => [
      dateTime(row.createdAt),
      row.delta > 0 ? `+${row.delta}` : row.delta,
      row.reason,
      row.stockAfter,
    ]),
    { class: "ledger", "data-sku": skuId },
  );
}

export async function productPage(api: Api, id: string, reload: () => void): Promise<HTMLElement> {
  const write = reloadAfter(reload);
  const product: Product = unwrap(await api.GET("/v1/products/{id}", { params: { path: { id } } }));
  const files = input("images", { type: "file", accept: "image/jpeg,image/png,image/webp,image/avif", multiple: "" });
  const skus = await Promise.all(
    product.skus.map(async (sku) =>
      h(
        "div",
        { class: "card sku", "data-sku": sku.id },
        h(
          "h3",
          {},
          Object.values(sku.options).join(" / "),
          " · ",
          money(sku.price),
          ` · 库存 `,
          h("strong", { class: "stock" }, sku.stock ?? 0),
        ),
        form(
          { class: "price-form" },
          "改价",
          (data) =>
            write(
              api.PATCH("/v1/skus/{id}", {
                params: { path: { id: sku.id } },
                body: { price: { amount: fen(text(data, "price")), currency: sku.price.currency } },
              }),
            ),
          field("新价格（元）", input("price", { required: "", inputmode: "decimal" })),
        ),
        form(
          { class: "stock-form" },
          "调整库存",
          (data) =>
            write(
              api.POST("/v1/skus/{id}/inventory-adjustments", {
                params: { path: { id: sku.id } },
                headers: idempotent(),
                body: { delta: Number(text(data, "delta")), reason: text(data, "reason") as "restock" },
              }),
            ),
          field("变动（可为负）", input("delta", { type: "number", required: "" })),
          field("原因", select("reason", reasons)),
        ),
        await ledger(api, sku.id),
      ),
    ),
  );
  return h(
    "section",
    { id: "product", "data-product": product.id, "aria-label": "商品" },
    h("h2", {}, product.title, " ", h("span", { class: "badge" }, statusText[product.status])),
    h(
      "div",
      { class: "gallery" },
      ...product.images.map((url, i) => h("img", { src: imageAt(url, 480), alt: `${product.title} ${i + 1}` })),
    ),
    form(
      { id: "product-edit" },
      "保存",
      async (data) => {
        const added = await uploadAll(api, files.files);
        return write(
          api.PATCH("/v1/products/{id}", {
            params: { path: { id } },
            body: {
              title: text(data, "title"),
              description: text(data, "description"),
              status: text(data, "status") as "draft" | "active" | "archived",
              ...(added.length > 0 ? { images: [...product.images, ...added] } : {}),
            },
          }),
        );
      },
      field("标题", input("title", { required: "", value: product.title })),
      field("描述", h("textarea", { name: "description", rows: "3" }, product.description)),
      field(
        "状态",
        select(
          "status",
          [
            ["active", "在售"],
            ["draft", "草稿"],
            ["archived", "已下架"],
          ],
          product.status,
        ),
      ),
      field("添加图片", files),
    ),
    action("删除全部图片", () =>
      write(api.PATCH("/v1/products/{id}", { params: { path: { id } }, body: { images: [] } })),
    ),
    h("h3", {}, "规格与库存"),
    ...skus,
    form(
      { id: "add-sku-form" },
      "添加规格",
      (data) =>
        write(
          api.POST("/v1/products/{id}/skus", {
            params: { path: { id } },
            headers: idempotent(),
            body: {
              options: optionsOf(text(data, "options")),
              price: { amount: fen(text(data, "price")), currency: product.skus[0]?.price.currency ?? "CNY" },
              stock: Number(text(data, "stock") || 0),
            },
          }),
        ),
      field("规格（名=值）", input("options", { required: "" })),
      field("价格（元）", input("price", { required: "", inputmode: "decimal" })),
      field("库存", input("stock", { type: "number", min: "0", value: "0" })),
    ),
  );
}
