// The console's elements: sections, forms that show the API's problem in place, tables, and money typed in yuan.
import { type Child, h } from "../dom.ts";
import { problemText } from "../format.ts";

/** Yuan typed by a person ("129.5") as fen, the API's integer minor units; NaN stays NaN for the API to refuse. */
export const fen = (yuan: string) => Math.round(Number(yuan) * 100);

/** A console section: a landmark named `label`, opened by its heading (the label unless told otherwise). */
export function section(
  { id, label, heading = label }: { id: string; label: string; heading?: string },
  ...children: Child[]
): HTMLElement {
  return h("section", { id, "aria-label": label }, h("h2", {}, heading), ...children);
}

export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", {}, label), control);
}

export function input(name: string, attributes: Record<string, string> = {}): HTMLInputElement {
  return h("input", { name, ...attributes });
}

export function select(name: string, options: [string, string][], selected?: string): HTMLSelectElement {
  const element = h("select", { name });
  for (const [value, label] of options) {
    const option = h("option", { value }, label);
    if (value === selected) option.selected = true;
    element.append(option);
  }
  return element;
}

/**
 * A form whose submit runs `action` with its fields; while it runs the button is off, and a problem the API answers
 * is shown under the form (code and request id included) instead of being lost.
 */
export function form(
  attributes: Record<string, string>,
  submitLabel: string,
  action: (data: FormData, form: HTMLFormElement) => Promise<string | undefined>,
  ...children: (Node | null)[]
): HTMLFormElement {
  const button = h("button", { type: "submit" }, submitLabel);
  const notice = h("p", { class: "notice", role: "status" });
  const element = h("form", { class: "console-form", ...attributes }, ...children, button, notice);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    notice.textContent = "";
    try {
      notice.textContent = (await action(new FormData(element), element)) ?? "";
    } catch (error) {
      notice.textContent = `出错了：${problemText(error)}`;
      notice.classList.add("error");
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

/** A button that runs `action` once per press, showing a problem next to itself. */
export function action(
  label: string,
  run: () => Promise<unknown>,
  attributes: Record<string, string> = {},
): HTMLElement {
  const button = h("button", { type: "button", ...attributes }, label);
  const notice = h("span", { class: "notice", role: "status" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    notice.textContent = "";
    try {
      await run();
    } catch (error) {
      notice.textContent = `出错了：${problemText(error)}`;
      button.disabled = false;
    }
  });
  return h("span", { class: "action" }, button, notice);
}

export function table(
  headers: string[],
  rows: (Node | string | number | null | undefined)[][],
  attributes: Record<string, string> = {},
) {
  return h(
    "table",
    attributes,
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", {}, t)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c))))),
  );
}

export const text = (data: FormData, name: string) => String(data.get(name) ?? "").trim();
