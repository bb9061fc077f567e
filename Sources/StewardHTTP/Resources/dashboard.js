// Steward dashboard: plain JavaScript over the /api/v1 routes (no build step, no inline code).
"use strict";

// `window`: the throughput chart's minutes (60 or 1,440). A list's filters live in the address
// (#/jobs?queue=mail&state=dead), so the header's counts link to them and a filtered list can be shared.
const state = { token: sessionStorage.getItem("stewardToken"), scope: null, window: 60, activity: null };
const main = () => document.getElementById("main");

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const response = await fetch("/api/v1" + path, { ...options, headers });
  if (response.status === 401) { showLogin(); throw new Error("a token is needed"); }
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") el.addEventListener("click", v);
    else if (k === "class") el.className = v;
    else if (v !== null && v !== undefined) el.setAttribute(k, v);
  }
  // Children may nest arrays at any depth (a list of [label, value] pairs, say).
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

const canAct = () => state.scope === "admin";
const json = (v) => (v === null || v === undefined ? "—" : JSON.stringify(v));
// A field's value as text: strings as they are, times readable, null as a dash.
const plain = (v) => (v === null || v === undefined ? "—" : typeof v === "string" ? (isTime(v) ? when(v) : v) : JSON.stringify(v));
const isTime = (v) => typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(v);
// "2026-12-05 16:18:07 UTC" from an ISO 8601 instant; a dash for none.
const when = (iso) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, (_, __, zone) => (zone === "Z" ? " UTC" : " " + zone)) : "—");
// Epoch seconds (or milliseconds, for large values) as a readable UTC time.
const epoch = (x) => (typeof x !== "number" ? "—" : when(new Date(x > 1e11 ? x : x * 1000).toISOString()));
const time = (iso) => h("span", { class: "time" }, when(iso));
const badge = (s) => h("span", { class: "badge " + s }, s);

function action(label, run) {
  if (!canAct()) return null;
  return h("button", { class: "action", "data-action": label, onclick: async (e) => {
    e.target.disabled = true;
    try { await run(); flash(label + ": done"); } catch (err) { flash(label + ": " + err.message, true); }
    refresh();
  } }, label);
}

function flash(text, bad = false) {
  const el = document.getElementById("flash");
  el.textContent = text;
  el.className = bad ? "bad" : "good";
}

function table(headers, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))), h("tbody", {}, rows));
}

/// The last hour of a queue in one small chart: depth (jobs) and succeeded and failed attempts per
/// minute, with the y axis from 0 to the largest value and the x axis from the first sample's
/// age to "now".
function chart(samples) {
  const series = [["depth", "depth"], ["succeeded_last_minute", "ok"], ["failed_last_minute", "failed"]];
  const width = 230, height = 58, left = 26, top = 4, bottom = 14, plotW = width - left - 4, plotH = height - top - bottom;
  const s = svg("svg", { width, height, class: "spark", viewBox: `0 0 ${width} ${height}`, "data-chart": "last-hour" });
  const text = (x, y, content, anchor = "start") => { const t = svg("text", { x, y, "text-anchor": anchor, class: "axis" }); t.textContent = content; s.append(t); };
  const max = Math.max(1, ...samples.flatMap((x) => series.map(([k]) => x[k])));
  s.append(svg("line", { x1: left, y1: top, x2: left, y2: top + plotH, class: "axis-line" }));
  s.append(svg("line", { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, class: "axis-line" }));
  text(left - 3, top + 8, String(max), "end");
  text(left - 3, top + plotH, "0", "end");
  const minutes = samples.length > 1 ? Math.round((Date.parse(samples[samples.length - 1].at) - Date.parse(samples[0].at)) / 60000) : 0;
  text(left, height - 2, samples.length > 1 ? `-${minutes} min` : "no samples yet");
  text(left + plotW, height - 2, "now", "end");
  if (samples.length < 2) return s;
  for (const [key, cls] of series) {
    const points = samples.map((x, i) => `${left + (i / (samples.length - 1)) * plotW},${top + plotH - (x[key] / max) * (plotH - 1)}`);
    s.append(svg("polyline", { points: points.join(" "), class: cls }));
  }
  return s;
}

/// The header's counts over every queue, each a link to the list it counts.
function summary(a) {
  const item = (label, value, href, title, bad = false) => h("a", { href, title, "data-count": label, class: bad && value ? "bad" : "" }, label, h("b", {}, value));
  return [
    item("processed today", a.processed_today, "#/jobs?state=succeeded", "Attempts that ended today (UTC), succeeded or failed; the link lists succeeded jobs"),
    item("failed today", a.failed_today, "#/jobs?retrying=true", "Failed attempts today (UTC): retries, dead ends, lost leases; the link lists jobs waiting to retry", true),
    item("running", a.running, "#/jobs?state=running", "Jobs running now"),
    item("enqueued", a.enqueued, "#/jobs?state=available", "Jobs due to run, not yet claimed"),
    item("scheduled", a.scheduled, "#/jobs?state=scheduled", "Jobs scheduled for later, retries included"),
    item("retrying", a.retrying, "#/jobs?retrying=true", "Jobs waiting to retry after a failed attempt"),
    item("dead", a.dead, "#/dead", "Dead jobs", true),
  ];
}

const hhmm = (iso) => iso.slice(11, 16);

/// Succeeded and failed attempts per minute over the last hour or day: axes with times (UTC) and
/// counts, a legend, and the value under the pointer.
function throughput(a) {
  const box = h("div", { class: "throughput", "data-window": String(state.window) });
  const pick = (minutes, label) => h("button", { class: "toggle" + (state.window === minutes ? " current" : ""), "data-window": String(minutes),
    onclick: () => { state.window = minutes; refresh(); } }, label);
  const hover = h("div", { class: "hover" }, "");
  const minutes = a ? a.minutes : [];
  const ok = minutes.reduce((n, m) => n + m.succeeded, 0), failed = minutes.reduce((n, m) => n + m.failed, 0);
  box.append(h("div", { class: "head" }, h("h3", {}, "Throughput"), pick(60, "last hour"), pick(1440, "last 24 h"),
    h("span", { class: "legend" }, h("span", { class: "ok" }, `━ succeeded ${ok}`), "  ", h("span", { class: "failed" }, `━ failed ${failed}`), "  (attempts per minute, UTC)")));
  const width = 1000, height = 150, left = 40, right = 10, top = 8, bottom = 20, plotW = width - left - right, plotH = height - top - bottom;
  const s = svg("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, "data-chart": "throughput" });
  const text = (x, y, content, anchor = "start") => { const t = svg("text", { x, y, "text-anchor": anchor }); t.textContent = content; s.append(t); };
  const max = Math.max(1, ...minutes.map((m) => Math.max(m.succeeded, m.failed)));
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    s.append(svg("line", { x1: left, y1: y, x2: left + plotW, y2: y, class: f ? "grid" : "axis-line" }));
    text(left - 4, y + 3, String(Math.round(f * max)), "end");
  }
  s.append(svg("line", { x1: left, y1: top, x2: left, y2: top + plotH, class: "axis-line" }));
  const x = (i) => left + (minutes.length > 1 ? (i / (minutes.length - 1)) * plotW : 0);
  if (minutes.length) {
    const ticks = 6;
    for (let k = 0; k <= ticks; k++) {
      const i = Math.round((k / ticks) * (minutes.length - 1));
      text(x(i), height - 4, hhmm(minutes[i].at), k === 0 ? "start" : k === ticks ? "end" : "middle");
    }
    for (const [key, cls] of [["succeeded", "ok"], ["failed", "failed"]]) {
      s.append(svg("polyline", { class: cls, points: minutes.map((m, i) => `${x(i)},${top + plotH - (m[key] / max) * plotH}`).join(" ") }));
    }
  }
  const cursor = svg("line", { x1: -10, y1: top, x2: -10, y2: top + plotH, class: "cursor" });
  s.append(cursor);
  s.addEventListener("mousemove", (e) => {
    if (!minutes.length) return;
    const r = s.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * width;
    const i = Math.max(0, Math.min(minutes.length - 1, Math.round(((px - left) / plotW) * (minutes.length - 1))));
    cursor.setAttribute("x1", x(i)); cursor.setAttribute("x2", x(i));
    hover.textContent = `${hhmm(minutes[i].at)} UTC: ${minutes[i].succeeded} succeeded, ${minutes[i].failed} failed`;
  });
  box.append(s, hover);
  return box;
}

/// A job's attempts on one time axis: a bar from start to finish per attempt, labelled with its
/// number, outcome and duration.
function timeline(attempts) {
  const t = attempts.map((a) => [Date.parse(a.started_at), Date.parse(a.finished_at)]);
  const t0 = Math.min(...t.map((x) => x[0])), t1 = Math.max(...t.map((x) => x[1]), t0 + 1);
  const width = 1000, left = 10, label = 260, row = 22, height = 24 + attempts.length * row;
  const plotW = width - left - label - 10;
  const s = svg("svg", { class: "timeline", width, height, viewBox: `0 0 ${width} ${height}`, "data-chart": "attempts" });
  const x = (ms) => left + label + ((ms - t0) / (t1 - t0)) * plotW;
  const seconds = (ms) => (ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`);
  attempts.forEach((a, i) => {
    const y = 8 + i * row;
    const name = svg("text", { x: left, y: y + 13 });
    name.textContent = `#${i + 1} attempt ${a.attempt} · ${a.outcome} · ${seconds(t[i][1] - t[i][0])}`;
    s.append(name);
    s.append(svg("rect", { x: x(t[i][0]), y, width: Math.max(2, x(t[i][1]) - x(t[i][0])), height: row - 8, rx: 3, class: a.outcome, "data-attempt": String(a.attempt) }));
  });
  const axis = (ms, anchor) => { const e = svg("text", { x: x(ms), y: height - 4, "text-anchor": anchor, class: "axis" }); e.textContent = when(new Date(ms).toISOString()); s.append(e); };
  axis(t0, "start");
  if (t1 - t0 > 1) axis(t1, "end");
  return s;
}

const views = {
  async overview() {
    const queues = await api("/queues");
    const row = async (q) => {
      const [stats, history] = await Promise.all([api("/queues/" + encodeURIComponent(q.name)), api("/queues/" + encodeURIComponent(q.name) + "/history")]);
      const c = stats.counts;
      return h("tr", { "data-queue": q.name },
        h("td", { class: "name" }, q.name, q.paused ? h("span", { class: "badge paused" }, "paused") : null),
        ["waiting", "scheduled", "available"].map((k) => h("td", { class: "num" }, c[k])),
        h("td", { class: "num" }, stats.running),
        ["succeeded", "dead", "cancelled"].map((k) => h("td", { class: "num" + (k === "dead" && c[k] ? " bad" : "") }, c[k])),
        h("td", { class: "num" }, `${stats.succeeded_last_minute} / `, h("span", { class: stats.failed_last_minute ? "bad" : "" }, stats.failed_last_minute)),
        h("td", { class: "num" }, (stats.error_rate * 100).toFixed(1) + " %"),
        h("td", { class: "num" }, stats.oldest_waiting_age_s === null ? "—" : stats.oldest_waiting_age_s.toFixed(1) + " s"),
        h("td", { class: "charts" }, chart(history)),
        h("td", {}, q.paused ? action("resume", () => api(`/queues/${encodeURIComponent(q.name)}/resume`, { method: "POST" }))
                             : action("pause", () => api(`/queues/${encodeURIComponent(q.name)}/pause`, { method: "POST" }))));
    };
    const headers = ["queue", "waiting", "scheduled", "available", "running", "succeeded", "dead", "cancelled", "ok / failed per min", "error rate", "oldest wait", "last hour: depth, ok/min, failed/min", ""];
    // Steward's own queues (the pipeline checks) apart from the user's.
    const internal = (q) => q.name.startsWith("steward.");
    const mine = queues.filter((q) => !internal(q)), own = queues.filter(internal);
    return [
      throughput(state.activity),
      h("h2", {}, "Queues"),
      mine.length ? table(headers, await Promise.all(mine.map(row))) : h("p", {}, "No queues yet."),
      own.length ? h("h3", {}, "Steward's own queues") : null,
      own.length ? table(headers, await Promise.all(own.map(row))) : null,
    ];
  },

  async jobs(dead = false, params = new URLSearchParams()) {
    const f = { queue: params.get("queue") || "", state: params.get("state") || "", name: params.get("name") || "" };
    const retrying = params.get("retrying") === "true";
    const query = new URLSearchParams({ limit: "100" });
    if (f.queue) query.set("queue", f.queue);
    if (dead) query.set("state", "dead"); else if (f.state) query.set("state", f.state);
    if (f.name) query.set("name", f.name);
    if (retrying && !dead) query.set("retrying", "true");
    const jobs = await api("/jobs?" + query);
    // An edited filter goes to the address; the hash change re-renders the list.
    const input = (key, placeholder) => {
      const el = h("input", { placeholder, value: f[key], "data-filter": key });
      el.addEventListener("change", () => {
        const next = new URLSearchParams(params);
        if (el.value) next.set(key, el.value); else next.delete(key);
        location.hash = (dead ? "#/dead" : "#/jobs") + (next.toString() ? "?" + next : "");
      });
      return el;
    };
    const filter = { queue: f.queue || undefined, state: dead ? "dead" : f.state || undefined, name: f.name || undefined };
    return [
      h("h2", {}, dead ? "Dead letters" : retrying ? "Jobs waiting to retry" : "Jobs"),
      h("div", { class: "filters" }, input("queue", "queue"), dead ? null : input("state", "state"), input("name", "name"),
        dead || f.state === "dead" || f.state === "cancelled" ? action("retry all", () => api("/jobs/retry", { method: "POST", body: JSON.stringify(filter) })) : null,
        !dead && !retrying && (f.queue || f.state || f.name) ? action("cancel all", () => api("/jobs/cancel", { method: "POST", body: JSON.stringify(filter) })) : null),
      table(["id", "name", "queue", "state", "attempt", "created", "error"], jobs.map((j) => h("tr", { "data-job": j.id },
        h("td", {}, h("a", { href: "#/job/" + j.id }, j.id)), h("td", {}, j.name), h("td", {}, j.queue), h("td", {}, badge(j.state)),
        h("td", {}, `${j.attempt}/${j.max_attempts}`), h("td", {}, time(j.created_at)), h("td", {}, j.error ? `${j.error.type}: ${j.error.message}` : "")))),
    ];
  },

  async job(id) {
    const [j, attempts, children] = await Promise.all([api("/jobs/" + id), api(`/jobs/${id}/history`), api(`/jobs/${id}/dependents`)]);
    const finished = ["succeeded", "cancelled", "dead"].includes(j.state);
    const pretty = (v) => h("pre", { class: "json" }, v === null || v === undefined ? "—" : JSON.stringify(v, null, 2));
    const links = (ids) => (ids.length ? ids.map((p) => h("a", { href: "#/job/" + p, class: "job-link" }, String(p))).flatMap((a, i) => (i ? [", ", a] : [a])) : "—");
    const copy = h("button", { class: "copy", title: "Copy the job's id", onclick: async () => {
      try { await navigator.clipboard.writeText(String(j.id)); flash(`copied job id ${j.id}`); } catch (err) { flash("copy: " + err.message, true); }
    } }, "copy id");
    return [
      h("h2", {}, `Job ${j.id} `, copy, " ", badge(j.state)),
      h("div", {}, !finished ? action("cancel", () => api(`/jobs/${id}/cancel`, { method: "POST" })) : null,
        j.state === "dead" || j.state === "cancelled" ? action("retry", () => api(`/jobs/${id}/retry`, { method: "POST" })) : null),
      h("dl", {},
        ["name", "queue", "priority", "attempt", "max_attempts", "run_at", "created_at", "started_at", "finished_at", "unique_key"].map((k) => [h("dt", {}, k), h("dd", {}, plain(j[k]))]),
        h("dt", {}, "payload"), h("dd", {}, pretty(j.payload)),
        h("dt", {}, "result"), h("dd", {}, pretty(j.result)),
        h("dt", {}, "progress"), h("dd", {}, pretty(j.progress)),
        h("dt", {}, "error"), h("dd", {}, j.error ? pretty(j.error) : "—"),
        h("dt", {}, "parents"), h("dd", { "data-links": "parents" }, links(j.depends_on)),
        h("dt", {}, "children"), h("dd", { "data-links": "children" }, links(children))),
      h("h3", {}, "Attempts"),
      attempts.length ? timeline(attempts) : null,
      table(["attempt", "worker", "started", "finished", "outcome", "error"], attempts.map((a) => h("tr", {},
        h("td", {}, a.attempt), h("td", {}, a.worker), h("td", {}, time(a.started_at)), h("td", {}, time(a.finished_at)), h("td", {}, badge(a.outcome)),
        h("td", {}, a.error_type ? `${a.error_type}: ${a.error_message}` : "")))),
    ];
  },

  async workers() {
    const list = await api("/workers");
    const ago = (s) => s < 120 ? s.toFixed(1) + " s ago" : (s / 60).toFixed(1) + " min ago";
    return [h("h2", {}, "Workers"),
      list.length ? table(["worker", "host", "pid", "queues (concurrency)", "running", "state", "started", "last heartbeat"], list.map((w) => h("tr", { "data-worker": w.id, class: w.state },
        h("td", { class: "name" }, w.id), h("td", {}, w.host), h("td", { class: "num" }, w.pid),
        h("td", {}, w.queues.map((q) => `${q.name} (${q.concurrency})`).join(", ")), h("td", { class: "num" }, w.running),
        h("td", {}, badge(w.state)), h("td", {}, time(w.started_at)), h("td", {}, time(w.last_heartbeat_at), h("div", { class: "ago" }, ago(w.last_heartbeat_age_seconds))))))
        : h("p", {}, "No worker has reported to this store yet.")];
  },

  async schedules() {
    const list = await api("/schedules");
    return [h("h2", {}, "Schedules"), table(["name", "trigger", "job", "queue", "next run", "last run", ""], list.map((s) => h("tr", { "data-schedule": s.name },
      h("td", {}, s.name, s.paused ? h("span", { class: "badge paused" }, "paused") : null), h("td", {}, s.trigger), h("td", {}, s.job), h("td", {}, s.queue),
      h("td", {}, time(s.next_fire_at)), h("td", {}, time(s.last_fire_at)),
      h("td", {}, s.paused ? action("resume", () => api(`/schedules/${encodeURIComponent(s.name)}/resume`, { method: "POST" }))
                           : action("pause", () => api(`/schedules/${encodeURIComponent(s.name)}/pause`, { method: "POST" })),
        action("trigger", () => api(`/schedules/${encodeURIComponent(s.name)}/trigger`, { method: "POST" }))))))];
  },

  async workflows() {
    const list = await api("/workflows");
    return [
      h("h2", {}, "Workflows"),
      table(["workflow", "version", "tasks", "applied"], list.workflows.map((w) => h("tr", {}, h("td", {}, w.name), h("td", {}, w.version), h("td", {}, w.tasks), h("td", {}, time(w.created_at))))),
      h("h3", {}, "Executions"),
      table(["id", "workflow", "state", "started", "finished"], list.runs.map((r) => h("tr", { "data-run": r.id },
        h("td", {}, h("a", { href: "#/run/" + r.id }, r.id)), h("td", {}, r.version === null ? `${r.workflow} (code)` : `${r.workflow} v${r.version}`), h("td", {}, badge(r.state)),
        h("td", {}, time(r.created_at)), h("td", {}, time(r.finished_at))))),
    ];
  },

  async run(id) {
    const [run, logs] = await Promise.all([api("/workflow-runs/" + id), api(`/workflow-runs/${id}/logs`)]);
    const code = run.kind === "code";
    const w = run.waiting;
    const waits = w ? (w.kind === "message" ? `a message on '${w.topic}'` : w.kind === "child" ? `child run ${w.child}` : "a timer") : null;
    return [
      h("h2", {}, code ? `${run.workflow} (code workflow) ` : `${run.workflow} v${run.version} `, badge(run.state)),
      h("div", {}, run.state === "running" ? action("cancel", () => api(`/workflow-runs/${id}/cancel`, { method: "POST" })) : null,
        run.state === "failed" || (!code && run.state === "cancelled") ? action("retry", () => api(`/workflow-runs/${id}/retry`, { method: "POST" })) : null),
      run.error ? h("p", { class: "bad" }, run.error) : null,
      waits ? h("p", { "data-waiting": w.kind }, `Waiting for ${waits}` + (w.until ? ` until ${time(w.until)}` : "")) : null,
      code ? table(["#", "kind", "step", "state", "attempts", "output", "error", "started", "finished"], run.steps.map((s) => h("tr", { "data-step": s.seq },
        h("td", { class: "num" }, s.seq), h("td", {}, s.kind), h("td", {}, s.name), h("td", {}, badge(s.state)), h("td", { class: "num" }, s.attempts),
        h("td", {}, h("code", {}, json(s.output).slice(0, 120))), h("td", {}, s.error ?? ""), h("td", {}, time(s.started_at)),
        h("td", {}, s.state === "pending" && s.until ? `waits until ${time(s.until)}` : time(s.finished_at)))))
        : [dag(run.tasks),
          table(["task", "job", "state", "attempts", "output", "error"], run.tasks.map((t) => h("tr", { "data-task": t.name },
            h("td", {}, t.name), h("td", {}, t.job), h("td", {}, badge(t.state)), h("td", {}, t.attempts),
            h("td", {}, h("code", {}, json(t.output).slice(0, 120))), h("td", {}, t.error ?? ""))))],
      h("h3", {}, "Log"),
      table(["at", "event", "task", "attempt", "worker", "message"], logs.map((e) => h("tr", {},
        h("td", {}, time(e.at)), h("td", {}, e.event), h("td", {}, e.task ?? ""), h("td", {}, e.attempt ?? ""), h("td", {}, e.worker ?? ""), h("td", {}, e.message ?? "")))),
    ];
  },

  async monitors() {
    const list = await api("/monitors");
    const blocks = [];
    for (const m of list) {
      const failed = await api(`/monitors/${encodeURIComponent(m.task)}/windows?failed=true&limit=5`);
      blocks.push(h("tr", { "data-monitor": m.task }, h("td", {}, m.task), h("td", { class: "num" }, m.windows), h("td", { class: "num" }, m.failed_windows),
        h("td", {}, epoch(m.last_window_end))));
      if (failed.length) blocks.push(h("tr", { class: "detail" }, h("td", { colspan: 4 }, windowTable(failed))));
    }
    return [h("h2", {}, "Monitors"), list.length ? table(["task", "windows", "failed", "last window end"], blocks) : h("p", {}, "This server runs no data-quality monitors.")];
  },

  async pipelines() {
    const [catalog, executions, freshness, timeliness, anomalies] = await Promise.all([
      api("/pipelines"), api("/pipeline-executions?limit=30"), api("/checks/freshness"), api("/checks/timeliness"), api("/pipeline-anomalies?limit=20"),
    ]);
    const seconds = (x) => (x === null || x === undefined ? "—" : x < 120 ? `${Math.round(x)} s` : x < 7200 ? `${(x / 60).toFixed(1)} min` : `${(x / 3600).toFixed(1)} h`);
    const late = new Set(timeliness.late.map((l) => l.execution));
    return [
      h("h2", {}, "Pipelines"),
      catalog.pipelines.length || catalog.datasets.length ? null : h("p", {}, "No pipelines are declared (steward pipeline apply FILE, or a pipelines section in the configuration)."),
      table(["pipeline", "max duration", "reads", "writes", "anomaly metrics"], catalog.pipelines.map((p) => h("tr", { "data-pipeline": p.name },
        h("td", {}, p.name), h("td", {}, seconds(p.max_duration_seconds)), h("td", {}, p.reads.join(", ")), h("td", {}, p.writes.join(", ")),
        h("td", {}, p.anomaly ? p.anomaly.metrics.join(", ") : "—")))),
      h("h3", {}, "Datasets"),
      table(["dataset", "status", "last modified", "age", "max age"], [...freshness.stale.map((d) => [d, "stale"]), ...freshness.fresh.map((d) => [d, "fresh"])].map(([d, s]) =>
        h("tr", { "data-dataset": d.dataset }, h("td", {}, d.dataset), h("td", {}, badge(s)), h("td", {}, d.last_modified ? time(d.last_modified) : "never"),
          h("td", {}, seconds(d.age_seconds)), h("td", {}, seconds(d.max_age_seconds))))),
      h("h3", {}, "Executions"),
      table(["id", "pipeline", "state", "started", "duration", "rows (ins/upd/del)", "metrics", "parent"], executions.map((e) => h("tr", { "data-execution": e.id },
        h("td", {}, e.id), h("td", {}, e.pipeline), h("td", {}, badge(e.state), late.has(e.id) ? badge("late") : null), h("td", {}, time(e.started_at)),
        h("td", {}, seconds(e.duration_seconds)), h("td", {}, [e.inserted, e.updated, e.deleted].map((n) => n ?? "—").join(" / ")),
        h("td", { class: "metrics" }, h("code", {}, Object.entries(e.metrics).map(([k, v]) => `${k}=${v}`).join(" "))), h("td", {}, e.parent ?? "—")))),
      h("h3", {}, "Recent anomalies"),
      anomalies.anomalies.length
        ? table(["detected", "pipeline", "execution", "metric", "value", "mean", "std", "z"], anomalies.anomalies.map((a) => h("tr", {},
            h("td", {}, time(a.detected_at)), h("td", {}, a.pipeline), h("td", {}, a.execution), h("td", {}, a.metric), h("td", {}, a.value),
            h("td", {}, a.mean.toFixed(3)), h("td", {}, a.std.toFixed(3)), h("td", {}, a.z === null ? "—" : a.z.toFixed(2)))))
        : h("p", {}, "No anomalies recorded."),
    ];
  },
};

/// A monitor's recent failed windows: when, for which key, and each assessed measure with its
/// value (failing ones marked).
function windowTable(windows) {
  const skip = new Set(["window_start", "window_end", "task", "_schema_errors", "late", "passed"]);
  return table(["window start", "window end", "key", "measures (failing marked ✗)"], windows.map((w) => {
    const keys = [], measures = [];
    for (const [k, v] of Object.entries(w)) {
      if (skip.has(k)) continue;
      if (Array.isArray(v) && v.length === 2 && typeof v[1] === "boolean") measures.push(h("span", { class: v[1] ? "measure" : "measure bad" }, `${k} ${plain(v[0])}${v[1] ? "" : " ✗"}`));
      else if (typeof v === "string") keys.push(`${k}=${v}`);
      else measures.push(h("span", { class: "measure" }, `${k} ${plain(v)}`));
    }
    return h("tr", { "data-window": w.window_start }, h("td", {}, h("span", { class: "time" }, epoch(w.window_start))), h("td", {}, h("span", { class: "time" }, epoch(w.window_end))),
      h("td", {}, keys.join(", ") || "—"), h("td", {}, measures));
  }));
}

/// The DAG: tasks in columns by depth, edges from each upstream task.
function dag(tasks) {
  const depth = {};
  const byName = Object.fromEntries(tasks.map((t) => [t.name, t]));
  const level = (t) => (depth[t.name] ??= t.depends_on.length ? 1 + Math.max(...t.depends_on.map((d) => level(byName[d]))) : 0);
  tasks.forEach(level);
  const columns = {};
  for (const t of tasks) (columns[depth[t.name]] ??= []).push(t);
  const place = {};
  const boxW = 150, boxH = 34, gapX = 50, gapY = 16;
  for (const [col, list] of Object.entries(columns)) list.forEach((t, row) => (place[t.name] = { x: 10 + col * (boxW + gapX), y: 10 + row * (boxH + gapY) }));
  const width = 20 + (Math.max(...Object.keys(columns).map(Number)) + 1) * (boxW + gapX);
  const height = 20 + Math.max(...Object.values(columns).map((l) => l.length)) * (boxH + gapY);
  const s = svg("svg", { class: "dag", width, height, viewBox: `0 0 ${width} ${height}` });
  for (const t of tasks) for (const d of t.depends_on) {
    const a = place[d], b = place[t.name];
    s.append(svg("line", { x1: a.x + boxW, y1: a.y + boxH / 2, x2: b.x, y2: b.y + boxH / 2, class: "edge" }));
  }
  for (const t of tasks) {
    const p = place[t.name], g = svg("g", { class: "node " + t.state, "data-task": t.name });
    g.append(svg("rect", { x: p.x, y: p.y, width: boxW, height: boxH, rx: 6 }));
    const label = svg("text", { x: p.x + 8, y: p.y + 21 });
    label.textContent = `${t.name} · ${t.state}`;
    g.append(label);
    s.append(g);
  }
  return s;
}

function showLogin() {
  const form = h("form", { id: "login" }, h("p", {}, "This server needs an API token."), h("input", { type: "password", id: "token", placeholder: "token", autocomplete: "off" }), h("button", { type: "submit" }, "Use token"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = document.getElementById("token").value;
    sessionStorage.setItem("stewardToken", state.token);
    start();
  });
  main().replaceChildren(form);
}

// Whether the last refresh reached the server: a dropped connection shows as paused (the page
// keeps what it last showed and tries again on the next tick) until an answer comes back.
function live(ok, detail) {
  const el = document.getElementById("live");
  el.className = ok ? "live" : "live paused";
  el.title = document.body.dataset.stream === "open" ? "Updates as the store changes (server-sent events)" : "Refreshes every 3 s";
  el.textContent = ok ? "live · " + new Date().toISOString().slice(11, 19) + " UTC" : "paused: " + detail + "; retrying";
}

// Re-renders come from the server's change events (`GET /api/v1/events`) while that stream is
// open, with a slow poll as the safety net; without the stream, from a poll every 3 s. A refresh
// asked for while one runs is done once after it (`why` says what asked: nav, event or poll;
// `data-changed-by` on the body, what last changed the page).
// Change events re-render at most once a second: a busy store sends one every 250 ms, and each
// render reads the page's data again.
let timer = null, running = null, again = null, lastRender = 0, deferred = null;
async function refresh(why = "nav") {
  if (running) { again = again === "nav" ? again : why; return running; }
  const wait = 1000 - (Date.now() - lastRender);
  if (why === "event" && wait > 0) {
    if (!deferred) deferred = setTimeout(() => { deferred = null; refresh("event"); }, wait);
    return;
  }
  lastRender = Date.now();
  running = render(why);
  try { await running; } finally { running = null; }
  if (again) { const next = again; again = null; await refresh(next); }
}

async function render(why) {
  const [path, query] = (location.hash || "#/overview").split("?");
  const [, page, arg] = path.split("/");
  const params = new URLSearchParams(query || "");
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("current", a.getAttribute("href") === "#/" + page);
  try {
    const overview = page !== "dead" && (!page || page === "overview" || !views[page]);
    // The header's counts on every page; the overview's chart reads its window from the same call.
    state.activity = await api("/activity?minutes=" + (overview ? state.window : 1));
    const header = document.getElementById("summary"), counts = h("div", {}, summary(state.activity));
    if (counts.innerHTML !== header.innerHTML) header.replaceChildren(...counts.childNodes);
    const content = page === "job" ? await views.job(arg) : page === "run" ? await views.run(arg) : page === "dead" ? await views.jobs(true, params)
      : page === "jobs" ? await views.jobs(false, params) : views[page] ? await views[page]() : await views.overview();
    // Keep focus in a filter while the page refreshes, and leave the page as it is when nothing
    // changed (no flicker, the pointer's chart value and a text selection stay).
    const next = h("div", {}, content.flat().filter(Boolean));
    const typing = main().contains(document.activeElement) && document.activeElement.tagName === "INPUT";
    if (!typing && next.innerHTML !== main().innerHTML) {
      main().replaceChildren(...next.childNodes);
      document.body.dataset.changedBy = why;
    }
    document.body.dataset.loaded = "true";
    live(true);
  } catch (err) {
    // fetch rejects (TypeError) when no answer comes at all: the connection, not the request.
    if (err instanceof TypeError) live(false, "no answer from the server");
    else if (!document.getElementById("login")) flash(err.message, true);
  }
}

function poll(ms) {
  clearInterval(timer);
  timer = setInterval(() => refresh("poll"), ms);
}

// The change events over fetch (EventSource cannot send the token). While the stream is open a
// poll every 10 s still catches what sends no event (worker reports, schedules). A stream silent
// for 20 s (the server says something every 15 s) is taken as dropped; a dropped stream falls
// back to polling every 3 s and is opened again 2 s later.
let listening = false;
async function listen() {
  if (listening) return;
  listening = true;
  const controller = new AbortController();
  let heard = Date.now();
  const watchdog = setInterval(() => { if (Date.now() - heard > 20000) controller.abort(); }, 1000);
  try {
    const headers = state.token ? { Authorization: "Bearer " + state.token } : {};
    const response = await fetch("/api/v1/events", { headers, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error("no event stream");
    document.body.dataset.stream = "open";
    poll(10000);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      heard = Date.now();
      buffer += value;
      for (let cut; (cut = buffer.indexOf("\n\n")) >= 0; buffer = buffer.slice(cut + 2)) {
        if (buffer.slice(0, cut).split("\n").includes("event: change")) refresh("event");
      }
    }
  } catch (err) {
    // The connection dropped or the server went away: the poll below notices and says so.
  }
  clearInterval(watchdog);
  document.body.dataset.stream = "closed";
  listening = false;
  poll(3000);
  setTimeout(listen, 2000);
}

async function start() {
  try {
    state.scope = (await api("/session")).scope;
  } catch (err) {
    flash(err.message, true);
    return;
  }
  if (!state.scope) { showLogin(); return; }
  document.body.dataset.scope = state.scope;
  await refresh();
  poll(3000);
  listen();
}

// The header's search: a number opens that job, anything else that workflow run.
function search(e) {
  e.preventDefault();
  const id = document.getElementById("search-id").value.trim();
  if (!id) return;
  location.hash = /^\d+$/.test(id) ? "#/job/" + id : "#/run/" + encodeURIComponent(id);
}

window.addEventListener("hashchange", () => refresh("nav"));
document.addEventListener("DOMContentLoaded", () => document.getElementById("search").addEventListener("submit", search));
document.addEventListener("DOMContentLoaded", start);
