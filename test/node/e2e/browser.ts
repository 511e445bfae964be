// Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by playwright-core, which downloads no browser
// of its own. Flags keep it off the network it cannot reach here. Screenshots go to test-results/screenshots/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const screenshotDir = path.join("test-results", "screenshots");

export async function launchChromium(): Promise<Browser> {
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
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
