// The Chromium that test/browser-setup.ts unpacked from the npm registry, driven by playwright-core (which downloads
// no browser of its own), with Noto Sans SC for Chinese. Flags keep it off the network it cannot reach here.
// Screenshots go to test-results/screenshots/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, inject } from "vitest";
import { type NpmStartOptions, npmStart } from "./npm-start.ts";

export const screenshotDir = path.join("test-results", "screenshots");

export async function launchChromium(): Promise<Browser> {
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: inject("chromiumPath"),
    args: [
      ...inject("chromiumArgs"),
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    env: { ...process.env, FONTCONFIG_FILE: inject("fontconfigFile") },
  });
}

/** `npm start` and Chromium for a whole test file: launched together, both closed after the file's tests. */
export async function npmStartWithChromium(name: string, options: NpmStartOptions = {}) {
  const [platform, browser] = await Promise.all([npmStart(name, options), launchChromium()]);
  afterAll(async () => {
    await browser.close();
    await platform.stop();
  }, 30_000);
  return { platform, browser };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The text of `selector` once it matches `pattern` (waits, bounded by playwright's timeout). */
export async function textMatching(page: Page, selector: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    ([s, source, flags]) => new RegExp(source, flags).test(document.querySelector(s)?.textContent ?? ""),
    [selector, pattern.source, pattern.flags] as const,
  );
  return (await page.textContent(selector)) ?? "";
}

/** Collects what the page logs as errors and its uncaught exceptions, so a test can show them on failure. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

/**
 * Whether the page draws Chinese with real glyphs: two different characters must leave different pixels in the
 * page's own font (a missing font draws both as the same empty box).
 */
export async function drawsChinese(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const font = `32px ${getComputedStyle(document.body).fontFamily}`;
    const pixels = (text: string) => {
      const canvas = document.createElement("canvas");
      canvas.width = 40;
      canvas.height = 40;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      context.font = font;
      context.fillText(text, 2, 32);
      return Array.from(context.getImageData(0, 0, 40, 40).data).join(",");
    };
    return pixels("种") !== pixels("草") && pixels("种") !== pixels("");
  });
}

/**
 * Every picture on the page, scrolled into view (they load lazily) and waited for: each one's address and whether
 * it decoded (a broken or refused image has no natural width).
 */
export async function pictures(page: Page, selector = "img"): Promise<{ src: string; decoded: boolean }[]> {
  await page.evaluate(async (s) => {
    for (const img of Array.from(document.querySelectorAll<HTMLImageElement>(s))) {
      img.scrollIntoView();
      img.loading = "eager";
    }
    await Promise.all(
      Array.from(document.querySelectorAll<HTMLImageElement>(s), (img) => img.decode().catch(() => undefined)),
    );
  }, selector);
  return page.evaluate(
    (s) =>
      Array.from(document.querySelectorAll<HTMLImageElement>(s), (img) => ({
        src: img.currentSrc || img.src,
        decoded: img.complete && img.naturalWidth > 0,
      })),
    selector,
  );
}
