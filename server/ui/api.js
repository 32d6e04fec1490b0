// The only way the UI talks to hirecrew: the public REST API under /api, with a bearer token.

const TOKEN_KEY = "hirecrew.token";

export class ApiError extends Error {
  constructor(status, message, errors) {
    super(message);
    this.status = status;
    this.errors = errors || [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function unauthorized(message) {
  token.clear();
  window.dispatchEvent(new CustomEvent("hirecrew:unauthorized", { detail: message }));
}

function headers(extra) {
  const all = { Accept: "application/json", ...extra };
  const value = token.get();
  if (value) all.Authorization = `Bearer ${value}`;
  return all;
}

async function problem(response) {
  let detail = `${response.status} ${response.statusText}`.trim();
  let errors = [];
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
    if (body && Array.isArray(body.errors)) errors = body.errors;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, detail, errors);
}

/** Call the API: ``json`` is sent as JSON, ``form`` as multipart; answers the parsed body. */
export async function api(method, path, { json, form, signal, quiet401 } = {}) {
  const init = { method, headers: headers(), signal, credentials: "same-origin" };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The hirecrew server cannot be reached. Is it running?");
  }
  if (!response.ok) {
    const error = await problem(response);
    if (response.status === 401 && !quiet401) unauthorized(error.message);
    throw error;
  }
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Follow a run's Server-Sent Events with fetch (EventSource cannot send the token).
 * Calls ``onEvent({event, id, data})`` per frame; resolves after the ``end`` event or when
 * the stream closes; rejects on HTTP errors. Abort with ``signal``.
 */
export async function followEvents(runId, onEvent, signal) {
  const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/events`, {
    headers: headers({ Accept: "text/event-stream" }),
    signal,
  });
  if (!response.ok) {
    const error = await problem(response);
    if (response.status === 401) unauthorized(error.message);
    throw error;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = parseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (!frame) continue;
      onEvent(frame);
      if (frame.event === "end") {
        reader.cancel().catch(() => {});
        return;
      }
    }
  }
}

/** One SSE frame ("event:", "id:", "data:" lines; ":" comments) or null when it has no data. */
export function parseFrame(text) {
  const frame = { event: "message", id: null, data: [] };
  for (const line of text.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "event") frame.event = value;
    else if (name === "id") frame.id = value;
    else if (name === "data") frame.data.push(value);
  }
  if (!frame.data.length) return null;
  const raw = frame.data.join("\n");
  try {
    frame.data = JSON.parse(raw);
  } catch {
    frame.data = raw;
  }
  return frame;
}

/**
 * Candidates' names by id (outputs and applications carry only ids): from the recruiter's pool
 * and, for a ``project``, from its latest sourcing output (the demo pool is not listed).
 */
export async function candidateNames(signal, project) {
  const names = new Map();
  try {
    const sourcing = project ? project.runs.filter((r) => r.stage === "sourcing" && r.status !== "failed").pop() : null;
    if (sourcing) {
      const run = await api("GET", `/runs/${sourcing.id}`, { signal });
      const found = (run.artifact && run.artifact.results && run.artifact.results.candidates) || [];
      for (const c of found) if (c.name) names.set(c.candidate_id, c.name);
    }
    for (const c of await api("GET", "/candidates?limit=500", { signal })) if (c.name) names.set(c.id, c.name);
  } catch (error) {
    if (error.name === "AbortError" || error.status === 401) throw error;
  }
  return names;
}
