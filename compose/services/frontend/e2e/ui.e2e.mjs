// Browser test of the UI against a running stack, in a real Chromium (Debian's) driven by
// playwright-core. BASE_URL: where the UI is served; SCREENSHOT: where to save a screenshot.
// Run: BASE_URL=http://localhost:3000 node --test e2e/ui.e2e.mjs
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";

const baseUrl = process.env.BASE_URL ?? "http://localhost:3000";
const screenshot = process.env.SCREENSHOT ?? "artifacts/ui.png";
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

test("submit a task, see it reach done with results, and chat", { timeout: 120_000 }, async () => {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // The machine's network is closed: without these Chromium keeps trying to reach Google.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-default-apps", "--metrics-recording-only"],
  });
  const consoleErrors = [];
  try {
    const page = await browser.newPage();
    page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
    await page.goto(baseUrl);

    await page.getByLabel("Goal").fill("browser test task");
    await page.getByLabel("Input text").fill("Kubernetes runs pods. Compose runs containers. Pods run containers.");
    await page.getByRole("button", { name: "Submit task" }).click();

    const status = page.getByTestId("detail-status");
    await status.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="detail-status"]')?.textContent === "done",
      null, { timeout: 60_000 });
    const aggregate = page.locator('tr[data-kind="aggregate"] code');
    assert.match(await aggregate.textContent(), /"words":9/);

    await page.getByLabel("message").fill("hello");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page.locator('li[data-role="assistant"]').first();
    await reply.waitFor({ timeout: 30_000 });
    assert.ok((await reply.textContent()).length > 0);

    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await browser.close();
  }
});
