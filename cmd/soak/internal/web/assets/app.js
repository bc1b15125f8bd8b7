// soak's live view: reads /events (Server-Sent Events) and draws the
// charts as inline SVG with the HTML report's geometry and palette, which
// the server puts in the page (engine/report.Style), so the two look
// alike. No library, no CDN.
"use strict";
(function () {
  const STYLE = JSON.parse(document.querySelector('meta[name="soak-chart"]').content);
  const W = STYLE.width, H = STYLE.height, L = STYLE.left, R = STYLE.right, T = STYLE.top, B = STYLE.bottom;
  const PW = W - L - R, PH = H - T - B;
  const PALETTE = STYLE.palette;
  const MAX_POINTS = 4000; // per series; past it every other point is dropped
  const SVG = "http://www.w3.org/2000/svg";
  const csrf = document.querySelector('meta[name="soak-csrf"]').content;
  const readOnly = document.querySelector('meta[name="soak-read-only"]').content === "true";
  const $ = (id) => document.getElementById(id);
  const markers = []; // {t, text}: phases and load changes, on every chart
  let duration = 0;

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  function fmt(v) {
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(0) + "k";
    return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 2 : 1);
  }
  function elapsed(s) {
    s = Math.round(s);
    const m = Math.floor(Math.abs(s) / 60), r = Math.abs(s) % 60, sign = s < 0 ? "-" : "";
    return m ? sign + m + "m" + (r ? String(r).padStart(2, "0") + "s" : "") : sign + r + "s";
  }

  class Chart {
    constructor(id, title, names) {
      const box = document.createElement("div");
      box.className = "chart";
      box.id = "chart-" + id;
      const h = document.createElement("h3");
      h.textContent = title;
      box.appendChild(h);
      const legend = document.createElement("div");
      legend.className = "legend";
      names.forEach((n, i) => {
        const s = document.createElement("span"), sw = document.createElement("i");
        sw.style.background = PALETTE[i % PALETTE.length];
        s.appendChild(sw);
        s.appendChild(document.createTextNode(n));
        legend.appendChild(s);
      });
      box.appendChild(legend);
      this.svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, "data-points": "0" }, box);
      this.series = names.map(() => []);
      this.dirty = false;
      $("charts").appendChild(box);
      this.box = box;
    }
    add(i, t, v) {
      if (v === undefined || v === null || !isFinite(v)) return;
      const s = this.series[i];
      s.push([t, v]);
      if (s.length > MAX_POINTS) this.series[i] = s.filter((_, k) => k % 2 === 0);
      this.redraw();
    }
    redraw() {
      if (this.dirty) return;
      this.dirty = true;
      requestAnimationFrame(() => { this.dirty = false; this.draw(); });
    }
    draw() {
      const svg = this.svg;
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      // The x axis grows with the run (at least 10 s), so its start is not
      // squeezed against the planned end; the status line says how far.
      let t0 = 0, t1 = 10, vmax = 0;
      for (const s of this.series) for (const [t, v] of s) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); vmax = Math.max(vmax, v); }
      const step = niceStep(vmax / STYLE.y_ticks || 1), top = Math.max(step * Math.ceil(vmax / step), step);
      const x = (t) => L + (t - t0) / (t1 - t0) * PW, y = (v) => T + PH - v / top * PH;
      for (let v = 0; v <= top + step / 2; v += step) {
        el("line", { class: "grid", x1: L, x2: L + PW, y1: y(v), y2: y(v) }, svg);
        el("text", { class: "tick", x: L - 6, y: y(v) + 4, "text-anchor": "end" }, svg).textContent = fmt(v);
      }
      const tstep = niceStep((t1 - t0) / STYLE.max_x_ticks);
      for (let t = Math.ceil(t0 / tstep) * tstep; t <= t1; t += tstep) {
        el("text", { class: "tick", x: x(t), y: H - 10, "text-anchor": "middle" }, svg).textContent = elapsed(t);
      }
      el("line", { class: "axis", x1: L, x2: L + PW, y1: T + PH, y2: T + PH }, svg);
      markers.forEach((m, i) => {
        if (m.t < t0 || m.t > t1) return;
        el("line", { class: "marker", x1: x(m.t), x2: x(m.t), y1: T, y2: T + PH }, svg);
        // Labels on three rows, so that markers close in time stay legible.
        el("text", { class: "marker-text", x: x(m.t) + 3, y: T + 10 + 12 * (i % 3) }, svg).textContent = m.text;
      });
      let n = 0;
      this.series.forEach((s, i) => {
        if (!s.length) return;
        n = Math.max(n, s.length);
        const d = s.map(([t, v], k) => (k ? "L" : "M") + x(t).toFixed(1) + " " + y(v).toFixed(1)).join("");
        el("path", { d: d, fill: "none", stroke: PALETTE[i % PALETTE.length], "stroke-width": 1.5 }, svg);
      });
      if (!n) {
        el("text", { class: "tick", x: L + PW / 2, y: T + PH / 2, "text-anchor": "middle" }, svg).textContent = "no data yet";
      }
      svg.setAttribute("data-points", String(n));
      // Each series' largest value, for tests and for whoever reads the DOM.
      svg.setAttribute("data-max", this.series.map((s) => s.reduce((m, p) => Math.max(m, p[1]), 0)).join(","));
    }
  }

  const charts = {
    users: new Chart("users", "Users", ["users"]),
    rps: new Chart("rps", "Throughput (requests/s)", ["requests/s", "failures/s", "429/s"]),
    latency: new Chart("latency", "Latency (ms)", ["p50", "p95", "p99"]),
    heap: new Chart("heap", "Live heap (MB)", ["live heap"]),
    goroutines: new Chart("goroutines", "Goroutines", ["goroutines"]),
    pool: new Chart("pool", "Database pool", ["in use", "max", "waits", "held"]),
    cache: new Chart("cache", "Cache hit rate", ["hit rate"]),
  };
  function redrawAll() { for (const k in charts) charts[k].redraw(); }

  function log(text) {
    const li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + "  " + text;
    $("log").prepend(li);
    while ($("log").children.length > 200) $("log").lastChild.remove();
  }

  // The analysis's verdicts as the summary words them.
  const VERDICTS = { detected: "defect", warning: "warning", ok: "ok", inconclusive: "inconclusive", unknown: "not checked" };

  // addFinding shows one finding, or an early warning, in the findings panel.
  function addFinding(f) {
    $("findings-empty").hidden = true;
    const li = document.createElement("li");
    const sev = document.createElement("span");
    sev.className = "sev " + (f.verdict || "") + " " + (f.severity || "");
    const word = VERDICTS[f.verdict] || f.verdict || "";
    sev.textContent = word + (f.severity && f.severity !== "none" ? " (" + f.severity + ")" : "") + " · " +
      f.detector + (f.source ? " [" + f.source + "]" : "");
    li.appendChild(sev);
    li.appendChild(document.createTextNode(": " + f.summary + (f.next_step ? " Next: " + f.next_step : "")));
    li.setAttribute("data-detector", f.detector);
    li.setAttribute("data-verdict", f.verdict || "");
    $("findings").appendChild(li);
  }

  function start(ev) {
    duration = ev.duration_s;
    $("run-id").textContent = ev.run_id + " → " + ev.host;
    $("status").textContent = "running: " + ev.model + " model, " +
      (ev.model === "closed" ? ev.users + " users" : ev.rate + " arrivals/s") + ", " + elapsed(ev.duration_s);
    if (!readOnly) {
      $("controls").hidden = false;
      $("users-form").hidden = !(ev.controls && ev.model === "closed");
      $("rate-form").hidden = !(ev.controls && ev.model === "open");
      if (ev.model === "closed") $("users-n").value = ev.users;
      else $("rate-r").value = ev.rate;
    }
  }


  function interval(ev) {
    charts.users.add(0, ev.t, ev.users);
    charts.rps.add(0, ev.t, ev.rps);
    const secs = ev.rps > 0 ? ev.requests / ev.rps : 0;
    charts.rps.add(1, ev.t, secs > 0 ? ev.failures / secs : 0);
    charts.rps.add(2, ev.t, secs > 0 ? ev.r429 / secs : 0);
    if (ev.requests > 0) {
      charts.latency.add(0, ev.t, ev.p50_ms);
      charts.latency.add(1, ev.t, ev.p95_ms);
      charts.latency.add(2, ev.t, ev.p99_ms);
    }
    for (const c of ev.changes || []) { markers.push({ t: c.t, text: c.text }); log(c.text + " at " + elapsed(c.t)); redrawAll(); }
    $("status").dataset.users = String(ev.users);
    $("status").textContent = "running: " + ev.users + " users, " + ev.rps.toFixed(1) + " requests/s, p95 " +
      ev.p95_ms.toFixed(1) + " ms, at " + elapsed(ev.t) + " of " + elapsed(duration);
  }

  function sample(ev) {
    if (ev.error) { log("probe " + ev.source + ": " + ev.error); return; }
    charts.heap.add(0, ev.t, ev.heap_mb);
    charts.goroutines.add(0, ev.t, ev.goroutines);
    charts.pool.add(0, ev.t, ev.pool_in_use);
    charts.pool.add(1, ev.t, ev.pool_max);
    charts.pool.add(2, ev.t, ev.pool_waits);
    charts.pool.add(3, ev.t, ev.held_conns);
    charts.cache.add(0, ev.t, ev.cache_hit_rate);
  }

  function endpoints(ev) {
    const tb = $("endpoints").tBodies[0];
    const rows = ev.rows.map((r) => {
      const tr = document.createElement("tr");
      for (const v of [r.method, r.name, r.requests, r.failures, r.r429, r.p50_ms, r.p95_ms, r.p99_ms, r.max_ms]) {
        const td = document.createElement("td");
        td.textContent = typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v);
        tr.appendChild(td);
      }
      return tr;
    });
    tb.replaceChildren(...rows);
    $("endpoints-more").textContent = ev.more ? ev.more + " more endpoints not shown" : "";
  }

  let finished = false;
  function done(ev) {
    finished = true;
    $("status").textContent = "finished (" + (ev.ending || "ended") + "), exit code " + ev.exit_code +
      (ev.interrupted ? ", partial outputs" : "");
    $("status").dataset.done = "true";
    $("findings").replaceChildren();
    ev.findings.forEach(addFinding);
    if (!ev.findings.length) $("findings-empty").textContent = "No findings.";
    $("files-section").hidden = false;
    $("files-dir").textContent = ev.dir ? "in " + ev.dir : "";
    $("files").replaceChildren(...ev.files.map((f) => {
      const li = document.createElement("li"), a = document.createElement("a");
      a.href = f.url;
      a.textContent = f.name;
      if (!f.name.endsWith(".html")) a.setAttribute("download", f.name);
      li.appendChild(a);
      return li;
    }));
    $("users-form").hidden = true;
    $("rate-form").hidden = true;
    $("stop").textContent = "close";
  }

  const handlers = {
    start: start, interval: interval, sample: sample, endpoints: endpoints, done: done,
    phase: (ev) => {
      log("phase " + ev.phase + " at " + elapsed(ev.t));
      if (ev.phase === "baseline") return; // before the load: nothing to mark on its clock
      markers.push({ t: ev.t, text: ev.phase });
      redrawAll();
    },
    note: (ev) => log(ev.text),
    warning: (ev) => {
      $("warnings-empty").hidden = true;
      const li = document.createElement("li");
      li.className = "warning";
      li.setAttribute("data-kind", ev.kind);
      li.textContent = "at " + ev.clock + ", " + ev.text + (ev.ended_run ? " (ended the run: --fail-fast)" : "");
      $("warnings").appendChild(li);
      log("early warning: " + ev.kind + " at " + ev.clock);
      if (ev.t > 0) { markers.push({ t: ev.t, text: "⚠ " + ev.kind }); redrawAll(); }
    },
  };
  const es = new EventSource("events");
  for (const kind in handlers) {
    es.addEventListener(kind, (e) => handlers[kind](JSON.parse(e.data)));
  }
  es.addEventListener("open", () => {
    // A reconnect replays the history: start again from empty charts.
    for (const k in charts) charts[k].series = charts[k].series.map(() => []);
    markers.length = 0;
    $("log").replaceChildren();
    $("warnings").replaceChildren();
    $("warnings-empty").hidden = false;
  });
  es.addEventListener("error", () => { if (finished) es.close(); });

  async function post(path, body) {
    const msg = $("control-msg");
    try {
      const r = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json", "X-Soak-CSRF": csrf },
        body: JSON.stringify(body || {}), credentials: "same-origin",
      });
      const out = await r.json();
      msg.textContent = out.ok ? "sent" : out.error;
      msg.dataset.ok = String(out.ok);
    } catch (e) {
      msg.textContent = "not sent: " + e;
    }
  }
  $("users-form").addEventListener("submit", (e) => { e.preventDefault(); post("users", { n: Number($("users-n").value) }); });
  $("rate-form").addEventListener("submit", (e) => { e.preventDefault(); post("rate", { r: Number($("rate-r").value) }); });
  $("stop").addEventListener("click", () => post("stop"));
})();
