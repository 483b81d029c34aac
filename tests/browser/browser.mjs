// Shared by the page checks: Debian's Chromium (headless, via playwright-core) started the way this
// machine allows (no background networking: its connections would be refused), and a page that
// records console errors and any request that leaves the local files.
import { chromium } from "playwright-core";

export const fail = (message) => { console.error(`FAIL: ${message}`); process.exitCode = 1; };

export async function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-default-apps", ...extraArgs],
  });
}

/** A new page whose console errors and non-local requests are collected in the returned arrays. */
export async function watchedPage(browser, viewport, local = /^file:/) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => { if (!local.test(r.url())) requests.push(r.url()); });
  return { page, errors, requests };
}
