// Batch runs from the browser: POST /stream/batch-design submits a CSV or JSON file and streams
// its events back as SSE in the same response. fetch() is used instead of EventSource because
// EventSource cannot send the Authorization header; when the stream drops before the terminal
// event, GET /stream/batch/{job_id} resumes it with Last-Event-ID (docs/streaming.md).

const TERMINAL = new Set(["complete", "cancelled"]);
/** Resume attempts after a dropped stream before giving up (each after the server's retry hint). */
const MAX_RESUMES = 5;

/** Parses SSE text into events; returns the unconsumed tail. */
export function parseSse(buffer, emit) {
  let start = 0;
  for (;;) {
    const end = buffer.indexOf("\n\n", start);
    if (end < 0) return buffer.slice(start);
    const event = { id: null, event: "message", data: "", retry: null };
    for (const line of buffer.slice(start, end).split("\n")) {
      if (line.startsWith(":")) continue; // comment: heartbeat
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data += (event.data ? "\n" : "") + value;
      else if (field === "id") event.id = value;
      else if (field === "event") event.event = value;
      else if (field === "retry") event.retry = Number(value);
    }
    if (event.data || event.retry !== null) emit(event);
    start = end + 2;
  }
}

/** Reads one SSE response to its end, calling `onEvent` per event; returns the last id. */
async function drain(response, onEvent, state) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = parseSse(buffer + value.replaceAll("\r\n", "\n"), (e) => {
      if (e.retry !== null) state.retryMs = e.retry;
      if (!e.data) return;
      if (e.id) state.lastId = e.id;
      const data = JSON.parse(e.data);
      if (TERMINAL.has(data.type)) state.finished = true;
      if (data.type === "start") state.jobId = data.job_id;
      onEvent(data);
    });
  }
}

async function errorOf(response) {
  const body = await response.json().catch(() => ({}));
  const error = new Error(body.error?.message ?? body.detail ?? `HTTP ${response.status}`);
  error.fields = body.error?.fields ?? [];
  error.status = response.status;
  return error;
}

/**
 * Submits `file` (CSV or JSON) and streams its events into `onEvent` until the batch ends,
 * resuming after a dropped connection. Resolves with the job id.
 */
export async function runBatch(file, token, onEvent, signal) {
  const type = file.name.endsWith(".json") ? "application/json" : "text/csv";
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": type, Accept: "text/event-stream" };
  const state = { lastId: null, jobId: null, finished: false, retryMs: 1000 };
  let response = await fetch("/stream/batch-design", { method: "POST", headers, body: file, signal });
  for (let resumes = 0; ; resumes += 1) {
    if (!response.ok) throw await errorOf(response);
    try {
      await drain(response, onEvent, state);
    } catch (e) {
      if (signal?.aborted) throw e;
    }
    if (state.finished) return state.jobId;
    if (!state.jobId || resumes >= MAX_RESUMES) throw new Error("the batch stream ended early");
    await new Promise((r) => setTimeout(r, state.retryMs));
    const resume = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
    if (state.lastId) resume["Last-Event-ID"] = state.lastId;
    response = await fetch(`/stream/batch/${state.jobId}`, { headers: resume, signal });
  }
}

/** Cancels a running batch (DELETE /api/v1/batches/{id}). */
export async function cancelBatch(jobId, token) {
  const response = await fetch(`/api/v1/batches/${jobId}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw await errorOf(response);
}
