// Render a Mermaid flowchart from a kubemap Markdown report with the Mermaid library from npm
// (node_modules, loaded from a local file: no network), in Debian's Chromium, and check that
// it parses and draws a node for every service in each panel, without console errors.
// Usage: node mermaid_page.mjs FLOWCHART.mmd SERVICES.json SCRATCH_DIR SCREENSHOT.png
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fail, launchChromium, watchedPage } from "./browser.mjs";

const [flowchartFile, servicesFile, scratch, screenshot] = process.argv.slice(2);
const services = JSON.parse(readFileSync(servicesFile, "utf8"));
const here = dirname(fileURLToPath(import.meta.url));
const library = join(here, "node_modules", "mermaid", "dist", "mermaid.min.js");

const page_html = join(scratch, "mermaid.html");
writeFileSync(page_html, `<!doctype html><meta charset=utf-8><title>mermaid</title>
<script src="file://${library}"></script><div id=out></div>`);

const browser = await launchChromium(["--allow-file-access-from-files"]);
try {
  const { page, errors, requests } = await watchedPage(browser, { width: 1600, height: 1200 }, /^(file|data):/);
  await page.goto(`file://${page_html}`);
  await page.waitForFunction(() => typeof window.mermaid !== "undefined", null, { timeout: 30_000 });
  const result = await page.evaluate(async (text) => {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: true } });
    try {
      await window.mermaid.parse(text);
      const { svg } = await window.mermaid.render("kubemap", text);
      document.getElementById("out").innerHTML = svg;
    } catch (error) {
      return { error: String(error && error.message ? error.message : error) };
    }
    const root = document.querySelector("#out svg");
    const nodes = [...root.querySelectorAll("g.node")];
    return {
      nodes: nodes.length,
      clusters: root.querySelectorAll("g.cluster").length,
      edges: root.querySelectorAll(".edgePaths path, path.flowchart-link").length,
      labels: nodes.map((n) => n.textContent),
    };
  }, readFileSync(flowchartFile, "utf8"));
  if (result.error) fail(`Mermaid could not render the flowchart: ${result.error}`);
  else {
    if (result.nodes !== 2 * services.length) fail(`expected ${2 * services.length} nodes, Mermaid drew ${result.nodes}`);
    const missing = services.filter((name) => result.labels.filter((label) => label.includes(name)).length < 1);
    if (missing.length) fail(`services missing from the rendered labels: ${missing.join(", ")}`);
    if (result.clusters < 4) fail(`expected the two panels and their groups as subgraphs, found ${result.clusters}`);
    console.log(`mermaid drew ${result.nodes} nodes, ${result.clusters} subgraphs, ${result.edges} arrows`);
    if (screenshot) await page.locator("#out svg").screenshot({ path: screenshot });
  }
  if (errors.length) fail(`console errors: ${errors.join(" | ")}`);
  if (requests.length) fail(`network requests: ${requests.join(" ")}`);
} finally {
  await browser.close();
}
if (!process.exitCode) console.log("mermaid ok");
