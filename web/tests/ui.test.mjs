// The browser UI in a real headless Chromium against the real gateway (embedded mode): live
// design as the engineer types, field errors, multi-tab sync, live defaults, batches, the feed.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { start } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

/** What the REST API designs for `beam`: the UI must show the same. */
async function restDesign(beam) {
  const response = await env.api("/api/v1/design", { method: "POST", body: JSON.stringify(beam) });
  assert.equal(response.status, 200);
  return response.json();
}

const BEAM = { width: 300, depth: 450, length: 5000, Mu: 150, Vu: 80, fck: 25, fy: 500 };

/** The text of the figure whose term is `term`. */
function figure(page, term) {
  return page.locator("#figures dt", { hasText: term }).locator("xpath=following-sibling::dd[1]");
}

test("the page designs the beam in the form and shows what the API designs", async () => {
  const page = await env.open("t-design");
  const expected = await restDesign(BEAM);
  await assert.doesNotReject(page.locator("#verdict", { hasText: expected.status }).waitFor());
  assert.match(await figure(page, "Tension steel").innerText(), new RegExp(expected.tension.bars.replace("+", "\\+")));
  assert.match(await figure(page, "Stirrups").innerText(), new RegExp(expected.shear.stirrups.text));
  assert.equal(await page.locator("#section svg circle.tension").count(),
    expected.tension.groups.reduce((n, g) => n + g.count, 0));
  await page.close();
});

test("editing a value redesigns at once", async () => {
  const page = await env.open("t-edit");
  await page.locator("#verdict", { hasText: /PASS|WARNING|FAIL/ }).waitFor();
  const expected = await restDesign({ ...BEAM, Mu: 260 });
  await page.fill("input[name=Mu]", "260");
  await figure(page, "Tension steel").filter({ hasText: expected.tension.bars }).waitFor();
  assert.equal(expected.doubly_reinforced, true, "260 kN·m exceeds Mu,lim of a 300 × 450 section");
  await figure(page, "Compression steel").filter({ hasText: expected.compression.bars }).waitFor();
  await page.close();
});

test("a bad value names the field and the rule, and the connection stays up", async () => {
  const page = await env.open("t-errors");
  await page.fill("input[name=width]", "-5");
  const error = page.locator("#errors li", { hasText: "width" });
  await error.waitFor();
  assert.equal(await error.innerText(), "width: must be between 100 and 2000 mm, got -5");
  assert.equal(await page.getAttribute("input[name=width]", "aria-invalid"), "true");
  await page.fill("input[name=width]", "300");
  await page.locator("#errors li").waitFor({ state: "detached" });
  assert.equal(await page.getAttribute("#status", "data-state"), "open");
  await page.close();
});

test("a second tab of the session follows the first", async () => {
  const first = await env.open("t-sync");
  const second = await env.open("t-sync");
  const expected = await restDesign({ ...BEAM, depth: 600, Mu: 210 });
  await first.fill("input[name=depth]", "600");
  await first.fill("input[name=Mu]", "210");
  await second.waitForFunction(() => document.querySelector("input[name=Mu]").value === "210");
  assert.equal(await second.inputValue("input[name=depth]"), "600");
  await figure(second, "Tension steel").filter({ hasText: expected.tension.bars }).waitFor();
  assert.equal(await second.innerText("#latency"), "from another tab");
  await first.close();
  await second.close();
});

test("changed design defaults reach every open tab", async () => {
  const page = await env.open("t-config");
  const current = await (await env.api("/api/v1/config")).json();
  const changed = { ...current, exposure: "severe" };
  const put = await env.api("/api/v1/config", { method: "PUT", body: JSON.stringify(changed) });
  assert.equal(put.status, 200);
  const { version } = await put.json();
  await page.locator("#notice", { hasText: `version ${version}` }).waitFor();
  assert.match(await page.innerText("#node"), new RegExp(`defaults v${version}$`));
  await page.close();
});

/** A CSV of `n` beams (the batch format's header names), with Mu varying per row. */
function csv(n, bad = new Set()) {
  const rows = ["id,width,depth,length,Mu,Vu,fck,fy"];
  for (let i = 0; i < n; i += 1) {
    rows.push(`B${i},${bad.has(i) ? -1 : 300},450,5000,${80 + (i % 90)},60,25,500`);
  }
  return Buffer.from(`${rows.join("\n")}\n`);
}

test("a CSV batch streams to completion and its export has every row", async () => {
  const page = await env.open("t-batch");
  await page.setInputFiles("#batch-file", { name: "beams.csv", mimeType: "text/csv", buffer: csv(40) });
  await page.click("#batch-form button[type=submit]");
  await page.locator("#batch-summary", { hasText: "complete: 40 designed, 0 failed of 40" }).waitFor();
  assert.equal(await page.locator("#batch-rows tbody tr").count(), 40);
  assert.equal(await page.locator("#batch-progress").evaluate((p) => p.value), 100);
  const href = await page.getAttribute("#batch-export", "href");
  const exported = await (await env.api(href)).text();
  assert.equal(exported.trim().split("\n").length, 41, "a header and 40 rows");
  await page.close();
});

test("a batch with bad rows names each bad row and streams no result", async () => {
  const page = await env.open("t-batch-bad");
  await page.setInputFiles("#batch-file", { name: "bad.csv", mimeType: "text/csv", buffer: csv(10, new Set([3, 7])) });
  await page.click("#batch-form button[type=submit]");
  const summary = page.locator("#batch-summary", { hasText: "row 3: width" });
  await summary.waitFor();
  assert.match(await summary.innerText(), /row 7: width/);
  assert.equal(await page.locator("#batch-rows tbody tr").count(), 0);
  await page.close();
});

test("a saved design reaches every tab's feed with its drawing and mesh", async () => {
  const saver = await env.open("t-save");
  const watcher = await env.open("t-watch");
  await saver.locator("#verdict", { hasText: /PASS|WARNING|FAIL/ }).waitFor();
  await saver.click("#save");
  const item = watcher.locator("#designs li").first();
  await item.waitFor();
  const section = await item.locator("a", { hasText: "section.svg" }).getAttribute("href");
  const svg = await env.api(section);
  assert.equal(svg.status, 200);
  assert.match(svg.headers.get("content-type"), /image\/svg\+xml/);
  const mesh = await env.api(await item.locator("a", { hasText: "mesh.stl" }).getAttribute("href"));
  assert.equal(mesh.status, 200);
  await saver.close();
  await watcher.close();
});
