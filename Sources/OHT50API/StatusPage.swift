/// The technicians' status page (`GET /`, `/ui/app.css`, `/ui/app.js`), compiled into the binary: plain
/// HTML, CSS and a small script, no framework and nothing fetched from elsewhere (the
/// Content-Security-Policy allows only this daemon). Status and events come pushed by
/// `/api/v1/stream`; the token for a reset is asked for on the page and kept in the tab's
/// sessionStorage, never put into the page.
enum StatusPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>OHT-50 — oht50d</title>
        <link rel="stylesheet" href="/ui/app.css">
        <script src="/ui/app.js" defer></script>
        </head>
        <body class="state-unknown">
        <header>
          <div id="state-box" role="status" aria-live="polite">
            <div class="label">Safety state</div>
            <div id="state">connecting…</div>
            <div id="state-note"></div>
          </div>
          <dl id="facts">
            <dt>Causes</dt><dd id="causes">–</dd>
            <dt>E-stop</dt><dd id="estop">–</dd>
            <dt class="channels" hidden>E-stop channels</dt><dd id="estop-channels" class="channels" hidden>–</dd>
            <dt>Motion-enable</dt><dd id="motion">–</dd>
            <dt class="contactor" hidden>Contactor feedback</dt><dd id="contactor" class="contactor" hidden>–</dd>
            <dt>In this state since</dt><dd id="since">–</dd>
            <dt>Last trip</dt><dd id="last-trip">–</dd>
            <dt>Live</dt><dd id="conn">connecting</dd>
          </dl>
        </header>
        <main>
          <section id="reset-panel">
            <h2>Reset</h2>
            <p id="reset-allowed">–</p>
            <ul id="reset-reasons"></ul>
            <form id="reset-form" autocomplete="off">
              <label for="token">API token <span class="hint">(asked once, kept for this browser tab only)</span></label>
              <input id="token" type="password" placeholder="OHT50_API_TOKEN">
              <div class="buttons">
                <button id="reset" type="submit">Reset</button>
                <button id="stop" type="button">Stop motion</button>
              </div>
            </form>
            <p id="command-result" role="alert"></p>
          </section>
          <section id="modules-panel">
            <h2>Modules</h2>
            <div id="modules"><p>–</p></div>
          </section>
          <section id="loop-panel">
            <h2>Safety loop</h2>
            <dl id="loop"></dl>
            <canvas id="histogram" width="480" height="160" aria-label="wake-up latency histogram"></canvas>
          </section>
          <section id="trips-panel">
            <h2>Trips</h2>
            <ul id="trips"></ul>
            <div id="trip-detail" hidden>
              <h3 id="trip-title"></h3>
              <canvas id="trip-chart" width="720" height="300" aria-label="trip recording"></canvas>
              <p class="legend"><span class="k-estop">E-stop raw</span> <span class="k-state">state</span>
                <span class="k-motion">motion-enable</span> <span class="k-speed">drive speed %</span>
                <span class="k-latency">wake-up latency</span> <span class="k-trip">trip instant (0 ms)</span></p>
              <ul id="trip-bus"></ul>
            </div>
          </section>
          <section id="events-panel">
            <h2>Events <span class="hint">(newest first)</span></h2>
            <ol id="events" reversed></ol>
          </section>
        </main>
        <footer>oht50d — the second safety layer; the hardwired E-stop circuit cuts motor power. <a href="/metrics">metrics</a>
          · <a href="/health/detailed">health</a></footer>
        </body>
        </html>
        """#

    static let css = #"""
        :root { --ok: #1b7f3b; --warn: #b26a00; --bad: #b3261e; --idle: #44546a; --fg: #111; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; gap: 1rem; padding: 1rem; background: #fff; border-bottom: 1px solid #ccd; }
        #state-box { flex: 1 1 260px; padding: 1rem; border-radius: 8px; color: #fff; background: var(--idle); border: 4px solid #000; }
        #state-box .label { font-size: .9rem; text-transform: uppercase; letter-spacing: .08em; }
        #state { font-size: 3rem; font-weight: 800; text-transform: uppercase; line-height: 1.1; word-break: break-word; }
        #state-note { font-size: 1rem; }
        .state-ready #state-box, .state-moving #state-box { background: var(--ok); border-style: solid; }
        .state-latched #state-box { background: var(--warn); border-style: dashed; }
        .state-estop #state-box, .state-fault #state-box { background: var(--bad); border-style: double; }
        #facts { flex: 2 1 320px; display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        #facts dt { font-weight: 600; }
        #facts dd { margin: 0; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; padding: 1rem; }
        section { background: #fff; border: 1px solid #ccd; border-radius: 8px; padding: .8rem 1rem; min-width: 0; }
        h2 { margin: 0 0 .5rem; font-size: 1.15rem; }
        .hint { font-weight: normal; font-size: .85rem; color: #555; }
        input { width: 100%; padding: .5rem; font-size: 1rem; }
        .buttons { display: flex; gap: .5rem; margin-top: .5rem; }
        button { flex: 1; padding: .7rem; font-size: 1.05rem; font-weight: 700; border-radius: 6px; border: 2px solid #000;
          cursor: pointer; }
        #reset { background: #fff; }
        #stop { background: var(--bad); color: #fff; }
        #reset-reasons li { margin-bottom: .3rem; }
        table { width: 100%; border-collapse: collapse; font-size: .9rem; }
        td, th { text-align: left; padding: .2rem .3rem; border-bottom: 1px solid #eee; vertical-align: top; }
        canvas { width: 100%; height: auto; background: #fff; border: 1px solid #ddd; }
        #events { max-height: 24rem; overflow: auto; padding-left: 2.5rem; font-size: .9rem; }
        #events li { margin-bottom: .2rem; }
        #trips li button { width: auto; flex: none; padding: .2rem .5rem; font-size: .9rem; font-weight: 400; border-width: 1px; }
        #trips-panel, #events-panel { grid-column: 1 / -1; }
        .legend span { margin-right: .8rem; white-space: nowrap; }
        .legend span::before { content: ""; display: inline-block; width: 1.2rem; height: .25rem; margin-right: .25rem;
          vertical-align: middle; }
        .k-estop::before { background: #b3261e; } .k-state::before { background: #44546a; } .k-motion::before { background: #1b7f3b; }
        .k-speed::before { background: #1f5fbf; } .k-latency::before { background: #b26a00; } .k-trip::before { background: #000; }
        footer { padding: 1rem; font-size: .85rem; color: #555; }
        @media (max-width: 480px) { #state { font-size: 2.2rem; } main { padding: .5rem; } }
        #modules { overflow-x: auto; }
        td { overflow-wrap: break-word; }
        @media (min-width: 700px) { #modules-panel { grid-column: span 2; } }
        #loop { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: 0 0 .5rem; }
        #loop dt { font-weight: 600; }
        #loop dd { margin: 0; }
        """#

    static let script = #"""
        "use strict";
        // The status page: status and events pushed by /api/v1/stream (Server-Sent Events), modules and loop
        // statistics read every second, trips on demand. The token is asked for once and kept in this tab's
        // sessionStorage only; it is sent only as a Bearer header on reset.
        const $ = (id) => document.getElementById(id);
        const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text;
          if (cls) e.className = cls; return e; };
        const STATES = ["init", "estop", "fault", "latched", "ready", "moving", "shutdown"];
        const NOTES = {
          init: "starting: waiting for the first healthy cycles", estop: "E-stop pressed: release it, then reset",
          fault: "a fault is active: see the causes", latched: "tripped and latched: reset when the reasons below are gone",
          ready: "safety chain closed: motion needs a move command", moving: "moving", shutdown: "the daemon is stopping",
        };
        let releaseDeadline = null;

        function renderStatus(s) {
          document.body.className = "state-" + s.state;
          $("state").textContent = s.state;
          $("state-note").textContent = NOTES[s.state] || "";
          $("causes").textContent = s.causes.length ? s.causes.join(", ") : "none";
          $("estop").textContent = s.estop.input_fault ? "UNREADABLE (input fault)" : (s.estop.pressed ? "PRESSED" : "released")
            + (s.estop.raw === null ? "" : " (line " + s.estop.raw + ")");
          $("motion").textContent = s.motion_enable_output ? "ON (relay closed)" : "off";
          const channels = s.estop.channels;
          for (const e of document.querySelectorAll(".channels")) e.hidden = !channels;
          if (channels) {
            const d = s.estop.discrepancy;
            $("estop-channels").textContent = channels.map((c) => c.channel + ": " + (c.input_fault ? "UNREADABLE" :
              (c.pressed ? "OPEN" : "closed")) + (c.raw === null ? "" : " (line " + c.raw + ")")).join(" · ")
              + (d.latched ? " — DISCREPANCY" + (d.never_opened ? ": channel " + d.never_opened + " did not open on the last press (stuck closed?)" : "")
                + ": press and release the E-stop" + (d.both_open_seen ? " (both seen open: now release)" : "")
                : d.disagreeing_ms ? " — disagreeing for " + d.disagreeing_ms + " ms (limit " + d.discrepancy_ms + " ms)" : "");
          }
          const k = s.contactor;
          for (const e of document.querySelectorAll(".contactor")) e.hidden = !k;
          if (k) {
            const says = { dropped_out: "dropped out", pulled_in: "PULLED IN", unreadable: "UNREADABLE" };
            $("contactor").textContent = (says[k.reads] || k.reads) + (k.raw === null ? "" : " (line " + k.raw + ")") + ", expected "
              + (says[k.expected] || k.expected).toLowerCase() + (k.fault === "none" ? "" : " — FAULT " + k.fault
                + (k.fault === "not_dropped_out" ? ": welded contact?" : ""));
          }
          $("since").textContent = s.since + " (" + (s.in_state_ms / 1000).toFixed(1) + " s)";
          $("last-trip").textContent = s.last_trip ? s.last_trip.causes.join(", ") + " at " + s.last_trip.at + " from " +
            s.last_trip.from : "none";
          $("reset-allowed").textContent = s.reset_allowed ? "A reset would be accepted now." : "A reset would be refused now, because:";
          const list = $("reset-reasons");
          list.replaceChildren();
          releaseDeadline = null;
          for (const r of s.reset_blocked_by) {
            const li = el("li");
            li.append(el("strong", r.code), document.createTextNode(": "));
            const m = /(\d+) ms to go/.exec(r.message);
            if (r.code === "estop_release_too_short" && m) {
              releaseDeadline = performance.now() + Number(m[1]);
              li.append(document.createTextNode(r.message.replace(/\d+ ms to go/, "")), el("span", "", "countdown"));
            } else {
              li.append(document.createTextNode(r.message));
            }
            list.append(li);
          }
          tickCountdown();
        }

        function tickCountdown() {
          for (const c of document.querySelectorAll(".countdown")) {
            const left = Math.max(0, releaseDeadline - performance.now());
            c.textContent = (left / 1000).toFixed(1) + " s to go";
          }
        }
        setInterval(tickCountdown, 100);

        function addEvent(e) {
          const li = el("li");
          li.dataset.kind = e.kind;
          const what = e.kind + (e.from ? " " + e.from + " → " + e.to : "") + (e.causes.length ? " [" + e.causes.join(", ") + "]" : "")
            + (e.reasons.length ? " refused: " + e.reasons.join(", ") : "") + (e.source ? " — " + e.source : "") + (e.detail ? " — " +
              e.detail : "");
          li.append(el("time", e.time + " "), document.createTextNode(what));
          const list = $("events");
          list.prepend(li);
          while (list.children.length > 200) list.lastChild.remove();
          if (e.kind === "trip") { setTimeout(loadTrips, 300); setTimeout(loadTrips, 1500); }
        }

        function connect() {
          const stream = new EventSource("/api/v1/stream");
          stream.addEventListener("status", (m) => { $("conn").textContent = "connected"; renderStatus(JSON.parse(m.data)); });
          stream.addEventListener("event", (m) => addEvent(JSON.parse(m.data)));
          stream.onerror = () => { $("conn").textContent = "disconnected: reconnecting (no event will be missed)"; };
        }

        async function getJSON(path) {
          const r = await fetch(path, { cache: "no-store" });
          return r.json();
        }

        async function loadModules() {
          try {
            const data = await getJSON("/api/v1/modules");
            const table = el("table");
            const head = el("tr");
            for (const h of ["module", "state", "values", "errors"]) head.append(el("th", h));
            table.append(head);
            for (const m of data.modules) {
              const tr = el("tr");
              tr.append(el("td", m.type + "@" + m.address + (m.required ? "" : " (optional)")));
              const state = [m.online ? "online" : "OFFLINE", m.healthy ? "healthy" : "NOT HEALTHY"];
              if (m.alarm) state.push("ALARM: " + m.alarm);
              if (m.type_problem) state.push(m.type_problem);
              if (m.stop_unconfirmed) state.push("STOP NOT CONFIRMED");
              if (m.standstill_overdue) state.push("STILL TURNING AFTER ITS STOP");
              if (m.not_following) state.push("SPEED NOT FOLLOWING ITS MOVE");
              if (m.age_ms !== null && m.age_ms !== undefined) state.push("age " + m.age_ms.toFixed(0) + " ms");
              tr.append(el("td", state.join(", ")));
              const values = Object.entries(m.values).filter(([k]) => !/^motor2_|pid|ramp|register_/.test(k))
                .map(([k, v]) => k + " " + v.value + (v.unit ? " " + v.unit : "")).join(", ");
              tr.append(el("td", values));
              const c = m.counters || {};
              tr.append(el("td", "timeouts " + (c.timeouts ?? 0) + ", CRC " + (c.crc_errors ?? 0) + ", exceptions " + (c.exceptions ?? 0)
                + ", other " + (c.other_errors ?? 0) + " of " + (c.transactions ?? 0)));
              table.append(tr);
            }
            $("modules").replaceChildren(data.modules.length ? table : el("p", "no bus modules configured"));
          } catch (e) { $("modules").replaceChildren(el("p", "cannot read modules: " + e)); }
        }

        function drawHistogram(buckets) {
          const c = $("histogram"), g = c.getContext("2d");
          g.clearRect(0, 0, c.width, c.height);
          if (!buckets.length) return;
          const max = Math.max(...buckets.map((b) => b[1]));
          const w = c.width / buckets.length;
          g.font = "10px sans-serif";
          buckets.forEach(([upper, count], i) => {
            const h = (c.height - 20) * Math.log1p(count) / Math.log1p(max);
            g.fillStyle = "#1f5fbf";
            g.fillRect(i * w + 1, c.height - 14 - h, Math.max(1, w - 2), h);
            if (i % Math.ceil(buckets.length / 8) === 0) { g.fillStyle = "#000"; g.fillText("≤" + upper + "µs", i * w, c.height - 2); }
          });
          c.dataset.drawn = String(buckets.length);
        }

        async function loadLoop() {
          try {
            const h = await getJSON("/health/detailed");
            const l = h.safety_loop, lat = l.wakeup_latency_us;
            const rows = [["health", h.status + (h.problems && h.problems.length ? " (" + h.problems.join(", ") + ")" : "")],
              ["scheduling", l.policy + " " + l.priority + ", period " + l.period_us + " µs"], ["cycles", l.cycles],
              ["overruns / stalls", l.overruns + " / " + l.stalls],
              ["wake-up latency", "p50 " + lat.p50 + " µs, p99 " + lat.p99 + " µs, max " + lat.max + " µs"],
              ["storage", h.storage.status + (h.storage.last_error ? ": " + h.storage.last_error : "")], ["version", h.version]];
            const dl = $("loop");
            dl.replaceChildren();
            for (const [k, v] of rows) dl.append(el("dt", k), el("dd", String(v)));
            drawHistogram(lat.histogram);
          } catch (e) { $("loop").replaceChildren(el("dd", "cannot read health: " + e)); }
        }

        async function loadTrips() {
          try {
            const data = await getJSON("/api/v1/trips?limit=1000");
            const list = $("trips");
            list.replaceChildren();
            for (const t of data.trips.slice(-10).reverse()) {
              const li = el("li");
              const b = el("button", "show");
              b.type = "button";
              b.dataset.trip = t.id;
              b.addEventListener("click", () => showTrip(t.id));
              li.append(b, document.createTextNode(" #" + t.id + " " + t.time + ": " + t.causes.join(", ") + " (" + t.from + " → " +
                t.to + ")"));
              list.append(li);
            }
            if (!data.trips.length) list.append(el("li", "no trips recorded"));
          } catch (e) { $("trips").replaceChildren(el("li", "cannot read trips: " + e)); }
        }

        async function showTrip(id) {
          const t = await getJSON("/api/v1/trips/" + id);
          $("trip-detail").hidden = false;
          $("trip-title").textContent = "Trip #" + t.id + " — " + t.causes.join(", ") + " at " + t.time + " (" + t.sample_count +
            " samples)";
          const s = t.samples, c = $("trip-chart"), g = c.getContext("2d");
          g.clearRect(0, 0, c.width, c.height);
          const x0 = s.offset_ms[0], x1 = Math.max(1, s.offset_ms[s.offset_ms.length - 1]);
          const left = 40, right = c.width - 10;
          const x = (ms) => left + (ms - x0) / (x1 - x0) * (right - left);
          const maxLatency = Math.max(1, ...s.wakeup_latency_us);
          const series = [
            ["E-stop", "#b3261e", s.estop_raw.map((v) => v)],
            ["state", "#44546a", s.state.map((v) => STATES.indexOf(v) / (STATES.length - 1))],
            ["enable", "#1b7f3b", s.motion_enable.map((v) => (v ? 1 : 0))],
            ["speed", "#1f5fbf", s.drive_speed.map((v) => v / 100)],
            ["latency", "#b26a00", s.wakeup_latency_us.map((v) => v / maxLatency)],
          ];
          if (s.estop_second_raw) series.splice(1, 0, ["E-stop 2", "#7a1712", s.estop_second_raw.map((v) => Math.max(0, v))]);
          if (s.feedback_raw) series.splice(series.length - 1, 0, ["feedback", "#5b3f8c", s.feedback_raw.map((v) => Math.max(0, v))]);
          const lane = (c.height - 30) / series.length;
          g.font = "11px sans-serif";
          series.forEach(([name, color, values], i) => {
            const top = 5 + i * lane, h = lane - 8;
            g.fillStyle = "#000"; g.fillText(name, 2, top + h / 2);
            g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
            values.forEach((v, j) => { const px = x(s.offset_ms[j]), py = top + h - v * h; j ? g.lineTo(px, py) : g.moveTo(px, py); });
            g.stroke();
          });
          g.strokeStyle = "#000"; g.setLineDash([4, 3]); g.beginPath(); g.moveTo(x(0), 0); g.lineTo(x(0), c.height - 18); g.stroke();
            g.setLineDash([]);
          g.fillStyle = "#000";
          g.fillText(x0.toFixed(0) + " ms", left, c.height - 4);
          g.fillText("trip (0 ms)", x(0) - 60, c.height - 4);
          c.dataset.drawn = String(s.offset_ms.length);
          c.dataset.trip = String(t.id);
          $("trip-bus").replaceChildren(...(t.bus || []).map((line) => el("li", line)));
        }

        async function command(path, withToken) {
          const headers = {};
          if (withToken) {
            const token = $("token").value || sessionStorage.getItem("oht50-token") || "";
            if (!token) { $("command-result").textContent = "enter the API token first"; return; }
            sessionStorage.setItem("oht50-token", token);
            $("token").value = "";
            $("token").placeholder = "token kept for this tab";
            headers.Authorization = "Bearer " + token;
          }
          const r = await fetch(path, { method: "POST", headers });
          const body = await r.json().catch(() => ({}));
          const stored = (flag) =>
            flag === undefined ? "" : flag ? " (logged)" : " — NOT LOGGED: the event store did not take it, see health";
          if (r.ok) {
            $("command-result").textContent = path.endsWith("reset") ? "reset accepted: " + body.state +
              stored(body.event_stored) : "stop sent: " + (body.state || "ok");
          } else {
            if (r.status === 401) sessionStorage.removeItem("oht50-token");
            const err = body.error || {};
            const reasons = (err.reasons || []).map((x) => x.message).join("; ");
            $("command-result").textContent = (r.status === 409 ? "refused: " : "error " + r.status + ": ") + (reasons ||
              err.message || "") + stored(err.event_stored);
          }
        }

        document.addEventListener("DOMContentLoaded", () => {
          if (sessionStorage.getItem("oht50-token")) $("token").placeholder = "token kept for this tab";
          $("reset-form").addEventListener("submit", (e) => { e.preventDefault(); command("/api/v1/safety/reset", true); });
          $("stop").addEventListener("click", () => command("/api/v1/motion/stop", false));
          connect();
          loadModules(); loadLoop(); loadTrips();
          setInterval(loadModules, 1000);
          setInterval(loadLoop, 2000);
        });
        """#
}
