// Open a kubemap HTML report in Debian's Chromium (headless, via playwright-core) and check its
// picture: every service once in each panel, no two boxes overlap (SVG geometry), no text runs
// out of its box (measured by the browser), hovering a box lights up its counterpart, clicking it
// scrolls to the service's rows, no console error, no network request.
// Usage: node diagram_page.mjs REPORT.html SERVICES.json SCREENSHOT.png FULL_SCREENSHOT.png
import { readFileSync } from "node:fs";
import { fail, launchChromium, watchedPage } from "./browser.mjs";

const [report, servicesFile, screenshot, fullScreenshot] = process.argv.slice(2);
const services = JSON.parse(readFileSync(servicesFile, "utf8"));

const browser = await launchChromium();
try {
  const { page, errors, requests } = await watchedPage(browser, { width: 1400, height: 1000 });
  await page.goto(`file://${report}`);
  await page.waitForLoadState("load");

  const geometry = await page.evaluate(() => {
    const out = { panels: [], overlaps: [], outside: [], measured: 0 };
    const inside = (inner, outer, slack = 0.5) => inner.x >= outer.x - slack && inner.y >= outer.y - slack
      && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
    for (const panel of document.querySelectorAll(".km-panel")) {
      const nodes = [...panel.querySelectorAll(".km-node")];
      out.panels.push({ name: panel.getAttribute("class"), services: nodes.map((n) => n.getAttribute("data-service")) });
      const boxes = nodes.map((n) => ({ name: n.getAttribute("data-service"), box: n.querySelector(".km-box").getBBox() }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].box, b = boxes[j].box;
          if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
            out.overlaps.push(`${boxes[i].name} / ${boxes[j].name}`);
          }
        }
      }
      // Every text of a box: inside the box (title, lines), its chip, or its port tab; and the
      // browser's own measure of its length fits the room it has.
      for (const node of nodes) {
        const box = node.querySelector(".km-box").getBBox();
        for (const text of node.querySelectorAll("text")) {
          const holder = text.closest(".km-chip, .km-tab");
          const room = holder ? holder.querySelector("rect").getBBox() : box;
          const bbox = text.getBBox();
          const length = text.getComputedTextLength();
          out.measured++;
          if (!inside(bbox, room) || text.getBBox().x + length > room.x + room.width + 0.5) {
            out.outside.push(`${node.getAttribute("data-service")}: "${text.textContent}" (${length.toFixed(1)} px)`);
          }
          if (holder && !inside(room, box, 8)) out.outside.push(`${node.getAttribute("data-service")}: chip/tab "${text.textContent}" off its box`);
        }
      }
      for (const group of panel.querySelectorAll(".km-group")) {
        const frame = group.querySelector("rect").getBBox();
        const label = group.querySelector("text");
        out.measured++;
        if (!inside(label.getBBox(), frame)) out.outside.push(`group label "${label.textContent}"`);
        for (const node of nodes) {
          // boxes never straddle a frame's edge
          const b = node.querySelector(".km-box").getBBox();
          const crosses = b.x < frame.x + frame.width && frame.x < b.x + b.width && b.y < frame.y + frame.height
            && frame.y < b.y + b.height && !inside(b, frame);
          if (crosses) out.outside.push(`${node.getAttribute("data-service")} straddles a group frame`);
        }
      }
    }
    return out;
  });
  if (geometry.panels.length !== 2) fail(`expected 2 panels, found ${geometry.panels.length}`);
  for (const panel of geometry.panels) {
    const counts = {};
    for (const name of panel.services) counts[name] = (counts[name] ?? 0) + 1;
    const wrong = services.filter((name) => counts[name] !== 1);
    const extra = panel.services.filter((name) => !services.includes(name));
    if (wrong.length || extra.length) fail(`${panel.name}: not exactly once: ${wrong.join(", ")}; unknown: ${extra.join(", ")}`);
  }
  if (geometry.overlaps.length) fail(`overlapping boxes: ${geometry.overlaps.join("; ")}`);
  if (geometry.outside.length) fail(`text out of its box: ${geometry.outside.slice(0, 10).join("; ")}`);
  console.log(`${services.length} services in each panel, ${geometry.measured} texts measured, no overlap`);

  // Hover a Compose box: it and its Kubernetes counterpart light up, nothing else.
  const first = services[0];
  const composeBox = page.locator(`.km-compose .km-node[data-service="${first}"] .km-box`);
  await composeBox.scrollIntoViewIfNeeded();
  await composeBox.hover();
  const lit = await page.evaluate(() => [...document.querySelectorAll(".km-node.km-hl")]
    .map((n) => `${n.closest(".km-panel").classList.contains("km-k8s") ? "k8s" : "compose"}:${n.getAttribute("data-service")}`));
  if (lit.sort().join(" ") !== [`compose:${first}`, `k8s:${first}`].sort().join(" ")) fail(`hover lit ${lit.join(", ")}`);
  else console.log(`hover ${first}: highlighted its counterpart`);
  await page.mouse.move(0, 0);

  // Click it: the page goes to the service's section (its rows).
  const anchor = await page.evaluate((name) => document.querySelector(`.km-compose .km-node[data-service="${name}"] a`).getAttribute("href"), first);
  await composeBox.click();
  await page.waitForFunction((target) => {
    const section = document.querySelector(target);
    if (location.hash !== target || !section) return false;
    const top = section.getBoundingClientRect().top;
    return top >= -2 && top < window.innerHeight / 2;
  }, anchor, { timeout: 10_000 }).catch(() => fail(`clicking ${first} did not bring ${anchor} into view`));
  console.log(`click ${first}: scrolled to ${anchor}`);

  await page.mouse.move(1, 1);
  await page.evaluate(() => {
    history.replaceState(null, "", location.pathname);
    document.querySelector(".diagram").scrollLeft = 0;
    window.scrollTo(0, 0);
  });
  if (screenshot) await page.screenshot({ path: screenshot });
  if (fullScreenshot) {
    // The picture alone at its actual size.
    const size = await page.evaluate(() => {
      const svg = document.querySelector(".diagram svg");
      return { width: svg.width.baseVal.value, height: svg.height.baseVal.value };
    });
    await page.setViewportSize({ width: Math.ceil(Math.min(size.width + 80, 6000)), height: 1000 });
    await page.evaluate(() => document.querySelector(".diagram").classList.add("fit"));
    await page.mouse.move(1, 1);
    await page.locator(".diagram svg").screenshot({ path: fullScreenshot });
  }
  if (errors.length) fail(`console errors: ${errors.join(" | ")}`);
  if (requests.length) fail(`network requests: ${requests.join(" ")}`);
} finally {
  await browser.close();
}
if (!process.exitCode) console.log("picture ok");
