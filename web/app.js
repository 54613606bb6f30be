// The browser UI: edit a beam and see its design as you type (WebSocket design_beam), follow the
// other tabs of the session (session sync), see live default changes (config_updated), run a
// batch with streamed progress, and follow the saved-design feed. Plain ES modules, no build.

import { Connection } from "./connection.js";
import { drawSection } from "./section.js";
import { runBatch, cancelBatch } from "./batch.js";
import { figures } from "./figures.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "beamstream.token";
/** Batch rows shown in the table; the CSV export has every row. */
const BATCH_ROWS_SHOWN = 200;

/** The session in the URL (shared by the tabs that follow each other), made up when absent. */
function sessionFromUrl() {
  const url = new URL(location.href);
  let session = url.searchParams.get("session");
  if (!session) {
    session = `s-${crypto.randomUUID().slice(0, 8)}`;
    url.searchParams.set("session", session);
  }
  // A token in the fragment (the embedded run's printed URL) is kept, then removed from view.
  const fragment = new URLSearchParams(url.hash.slice(1));
  if (fragment.get("token")) localStorage.setItem(TOKEN_KEY, fragment.get("token"));
  url.hash = "";
  history.replaceState(null, "", url);
  return session;
}

const session = sessionFromUrl();
const token = () => localStorage.getItem(TOKEN_KEY);
const form = $("beam");
let latest = 0; // request_id of the newest design request: older replies are stale
let lastDesign = null;

/** The beam as the form holds it: only fields with a value are sent. */
function beamFromForm() {
  const beam = {};
  for (const field of form.elements) {
    if (!field.name || field.value === "") continue;
    beam[field.name] = field.type === "number" || field.name === "fck" || field.name === "fy"
      ? Number(field.value) : field.value;
  }
  return beam;
}

function fillForm(beam) {
  for (const field of form.elements) {
    if (field.name && beam[field.name] !== undefined) field.value = beam[field.name];
  }
}

function showErrors(errors) {
  for (const field of form.elements) field.removeAttribute("aria-invalid");
  $("errors").replaceChildren(...errors.map((e) => {
    const input = form.elements.namedItem(e.field === "moment" ? "Mu" : e.field);
    input?.setAttribute("aria-invalid", "true");
    const li = document.createElement("li");
    li.textContent = `${e.field}: ${e.message}`;
    return li;
  }));
}

function showDesign(beam, result, note) {
  lastDesign = { beam, result };
  showErrors([]);
  const verdict = $("verdict");
  verdict.textContent = result.status;
  verdict.dataset.status = result.status;
  $("latency").textContent = note ?? "";
  $("figures").replaceChildren(...figures(result));
  $("section").replaceChildren(drawSection(beam, result));
  $("messages").replaceChildren(...result.messages.map((m) => {
    const li = document.createElement("li");
    li.dataset.level = m.level;
    li.textContent = `${m.text} (cl. ${m.clause})`;
    return li;
  }));
}

async function design() {
  const beam = beamFromForm();
  const id = ++latest;
  const started = performance.now();
  try {
    const reply = await connection.request({ type: "design_beam", params: beam });
    if (id !== latest) return;
    if (reply.type === "validation_error") showErrors(reply.errors);
    else showDesign(beam, reply.data, `${(performance.now() - started).toFixed(1)} ms`);
  } catch (e) {
    if (id === latest) notice(e.message);
  }
}

function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = false;
}

function onState(state, detail) {
  const pill = $("status");
  pill.dataset.state = state;
  pill.textContent = {
    connecting: "connecting…",
    open: "live",
    closed: `reconnecting in ${detail?.retryInMs ?? 0} ms`,
    failed: `disconnected${detail?.reason ? `: ${detail.reason}` : ""}`,
  }[state];
  if (state === "open") {
    $("node").textContent = `node ${detail.node_id} · defaults v${detail.config_version}`;
    $("login").hidden = true;
    design();
    // Followed channels are resumed by the connection itself after a reconnect.
    if (!connection.channels.has("designs")) {
      connection.follow("designs").catch((e) => notice(`design feed: ${e.message}`));
    }
  }
  if (state === "failed" && !detail?.code) $("login").hidden = false;
}

function onEvent(event) {
  if (event.type === "design_result" && event.channel?.startsWith("session:")) {
    // Another tab of this session designed: follow it.
    fillForm(event.beam);
    showDesign(event.beam, event.result, "from another tab");
  } else if (event.type === "config_updated") {
    $("node").textContent = $("node").textContent.replace(/v\d+$/, `v${event.config.version}`);
    notice(`Design defaults changed (version ${event.config.version}); the design below uses them.`);
    design();
  } else if (event.type === "new_design") {
    addSavedDesign(event);
  } else if (event.type === "server_shutting_down") {
    notice("The server is restarting; reconnecting…");
  }
}

/**
 * Links to the API need the token, which a plain navigation cannot send: fetch the resource
 * and hand the browser a blob, downloaded as `filename` or opened in a new tab.
 */
function withToken(link, filename) {
  link.addEventListener("click", async (click) => {
    click.preventDefault();
    const response = await fetch(link.href, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) return notice(`${link.textContent}: HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    const target = Object.assign(document.createElement("a"), { href: url, target: "_blank" });
    if (filename) target.download = filename;
    target.click();
  });
}

function addSavedDesign(event) {
  const li = document.createElement("li");
  li.innerHTML = `<span class="badge" data-status="${event.status}"></span> <code></code>
    <a target="_blank" rel="noopener">section.svg</a> · <a target="_blank" rel="noopener">mesh.stl</a>`;
  li.querySelector(".badge").textContent = event.status;
  li.querySelector("code").textContent = `${event.kind} ${event.id}`;
  const [svg, stl] = li.querySelectorAll("a");
  svg.href = event.section;
  stl.href = event.mesh;
  withToken(svg);
  withToken(stl, `${event.id}.stl`);
  $("designs").prepend(li);
}

async function save() {
  if (!lastDesign) return;
  const response = await fetch("/api/v1/designs", {
    method: "POST",
    headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
    body: JSON.stringify(lastDesign.beam),
  });
  if (!response.ok) notice(`Save failed: HTTP ${response.status}`);
}

const connection = new Connection({ session, token, onState, onEvent });

function batchRow(event) {
  const tr = document.createElement("tr");
  const cells = event.type === "error"
    ? [event.beam_index, "", "ERROR", event.error, ""]
    : [event.index, event.beam?.id ?? "", event.result.status, event.result.tension.bars,
      event.result.shear.stirrups?.text ?? ""];
  for (const value of cells) tr.append(Object.assign(document.createElement("td"), { textContent: value }));
  tr.dataset.status = cells[2];
  return tr;
}

function onBatchEvent(event) {
  const rows = $("batch-rows").tBodies[0];
  if (event.type === "start") {
    $("batch-summary").textContent = `batch ${event.job_id}: ${event.total_beams} beams`;
    $("batch-cancel").dataset.job = event.job_id;
    $("batch-cancel").hidden = false;
  } else if (event.type === "progress") {
    $("batch-progress").value = event.percent;
  } else if ((event.type === "design_result" || event.type === "error") && rows.rows.length < BATCH_ROWS_SHOWN) {
    rows.append(batchRow(event));
  } else if (event.type === "complete" || event.type === "cancelled") {
    const s = event.summary;
    $("batch-progress").value = event.type === "complete" ? 100 : $("batch-progress").value;
    $("batch-summary").textContent = `${event.type}: ${s.succeeded} designed, ${s.failed} failed of ${s.total}`;
    $("batch-cancel").hidden = true;
  }
}

async function submitBatch(e) {
  e.preventDefault();
  const file = $("batch-file").files[0];
  $("batch-rows").tBodies[0].replaceChildren();
  $("batch-progress").hidden = false;
  $("batch-progress").value = 0;
  $("batch-export").hidden = true;
  try {
    const job = await runBatch(file, token(), onBatchEvent);
    const link = $("batch-export");
    link.href = `/api/v1/batches/${job}/results?format=csv`;
    link.hidden = false;
    withToken(link, `${job}.csv`);
  } catch (error) {
    const rows = (error.fields ?? []).slice(0, 5).map((f) => `row ${f.index}: ${f.field} ${f.message}`);
    $("batch-summary").textContent = [error.message, ...rows].join(" · ");
  }
}

function init() {
  const fck = form.elements.namedItem("fck");
  for (let grade = 20; grade <= 80; grade += 5) fck.append(new Option(`M${grade}`, grade, false, grade === 25));
  $("session-label").textContent = `session ${session}`;
  $("share").href = location.href;
  form.addEventListener("input", design);
  form.addEventListener("submit", (e) => e.preventDefault());
  $("save").addEventListener("click", save);
  $("batch-form").addEventListener("submit", submitBatch);
  $("batch-cancel").addEventListener("click", (e) => cancelBatch(e.target.dataset.job, token()).catch((x) => notice(x.message)));
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem(TOKEN_KEY, $("token").value.trim());
    connection.stop();
    connection.start();
  });
  if (!token()) $("login").hidden = false;
  connection.start();
}

init();
