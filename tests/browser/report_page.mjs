// Open a kubemap HTML report in Debian's Chromium (headless, via playwright-core) and check it:
// no console errors, no network request of any kind, and hovering a Compose key highlights the
// Kubernetes lines it became. Usage: node report_page.mjs REPORT.html SCREENSHOT.png
import { fail, launchChromium, watchedPage } from "./browser.mjs";

const [report, screenshot] = process.argv.slice(2);

const browser = await launchChromium();
try {
  const { page, errors, requests } = await watchedPage(browser, { width: 1400, height: 1000 });
  await page.goto(`file://${report}`);
  await page.waitForLoadState("load");

  // Hover the first Compose line tied to a key that also marks a Kubernetes line.
  const pair = await page.evaluate(() => {
    for (const section of document.querySelectorAll("section[id^=svc-]")) {
      const left = section.querySelector(".sides > div:first-child [data-k]");
      if (!left) continue;
      const key = left.getAttribute("data-k").split(" ")[0];
      const right = [...section.querySelectorAll(".sides > div:last-child [data-k]")]
        .find((el) => el.getAttribute("data-k").split(" ").includes(key));
      if (right) return { section: section.id, key };
    }
    return null;
  });
  if (!pair) fail("no Compose line is linked to a Kubernetes line");
  else {
    const left = page.locator(`#${pair.section} .sides > div:first-child [data-k~="${pair.key}"]`).first();
    await left.scrollIntoViewIfNeeded();
    await left.hover();
    const highlighted = await page.locator(`#${pair.section} .sides > div:last-child .hl`).count();
    if (highlighted < 1) fail(`hovering ${pair.key} in ${pair.section} highlighted no Kubernetes line`);
    const stray = await page.evaluate(({ section, key }) =>
      [...document.querySelectorAll(`#${section} .hl`)].filter((el) => !el.getAttribute("data-k").split(" ").includes(key)).length, pair);
    if (stray > 0) fail(`hovering ${pair.key} highlighted ${stray} unrelated lines`);
    await page.mouse.move(0, 0);
    console.log(`hover ${pair.section} ${pair.key}: ${highlighted} Kubernetes lines highlighted`);
  }
  // The theme toggle works without errors.
  await page.click("#theme");
  await page.evaluate(() => window.scrollTo(0, 0));
  if (screenshot) await page.screenshot({ path: screenshot });
  if (errors.length) fail(`console errors: ${errors.join(" | ")}`);
  if (requests.length) fail(`network requests: ${requests.join(" ")}`);
} finally {
  await browser.close();
}
if (!process.exitCode) console.log("report page ok");
