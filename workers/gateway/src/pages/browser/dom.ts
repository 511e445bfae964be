// A few DOM helpers for the pages: elements are built with createElement and textContent (never HTML strings), so
// nothing the API returns can inject markup, and nothing needs an inline style (the pages' CSP allows none).
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  element.append(...nodes(children));
  return element;
}

const svgNamespace = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...nodes(children));
  return element;
}

function nodes(children: Child[]): (Node | string)[] {
  return children
    .filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (typeof c === "number" ? String(c) : c) as Node | string);
}

/** Replaces everything inside `parent`. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...nodes(children));
}

/** One child of `list` per item, or a quiet line saying there are none. */
export function listOrNone<T>(items: T[], none: string, list: HTMLElement, item: (value: T) => Node): HTMLElement {
  if (items.length === 0) return h("p", { class: "meta" }, none);
  list.append(...items.map(item));
  return list;
}

/**
 * Search highlights arrive HTML-escaped with matches in <mark>…</mark>: rebuilt as text nodes and <mark> elements,
 * so only <mark> can come through.
 */
export function highlighted(html: string): HTMLElement {
  const decoder = document.createElement("textarea");
  const span = h("span");
  html.split(/(<mark>.*?<\/mark>)/s).forEach((part) => {
    const marked = part.startsWith("<mark>");
    decoder.innerHTML = marked ? part.slice(6, -7) : part;
    span.append(marked ? h("mark", {}, decoder.value) : decoder.value);
  });
  return span;
}
