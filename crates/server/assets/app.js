// Loopdesk: keyboard shortcuts (? lists them), the queue's kept selection, live updates,
// small form helpers.
// Everything here is optional: pages work without it.
(function () {
  "use strict";
  // Remember the browser's time zone so the server shows dates in it.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("loopdesk_tz=" + tz) < 0) {
      document.cookie = "loopdesk_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the server's default zone is used */ }

  function post(url, fields) {
    var f = document.createElement("form");
    f.method = "post"; f.action = url;
    Object.keys(fields).forEach(function (k) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = k; i.value = fields[k]; f.appendChild(i);
    });
    document.body.appendChild(f); f.submit();
  }

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // Queue: j/k to move, Enter/o to open, x to select, a to assign to me, r to reply.
  function queueRows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr[data-id]")); }
  var rows = queueRows();
  var sel = -1;
  function select(i) {
    if (!rows.length) return;
    if (sel >= 0 && rows[sel]) rows[sel].classList.remove("sel");
    sel = Math.max(0, Math.min(rows.length - 1, i));
    rows[sel].classList.add("sel");
    rows[sel].scrollIntoView({ block: "nearest" });
  }
  function csrf() { var i = document.querySelector("input[name=_csrf]"); return i ? i.value : ""; }
  var reply = document.getElementById("reply-body");
  var help = document.getElementById("shortcuts");
  var gPressed = 0;
  // Every console page: ? help, / search, g q queue, g a account; then the page's own keys.
  if (document.body.classList.contains("console")) {
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (help && help.open) return;
      var now = Date.now();
      if (gPressed && now - gPressed < 1500) {
        gPressed = 0;
        if (e.key === "q") { location.href = "/console"; e.preventDefault(); return; }
        if (e.key === "a") { location.href = "/console/account"; e.preventDefault(); return; }
      }
      if (e.key === "g") { gPressed = now; return; }
      if (e.key === "?") { openHelp(); e.preventDefault(); return; }
      if (e.key === "/") {
        var search = document.getElementById("search");
        if (search) { search.focus(); search.select(); } else { location.href = "/console#search"; }
        e.preventDefault(); return;
      }
      var row = sel >= 0 ? rows[sel] : null;
      if (rows.length) {
        if (e.key === "j") { select(sel + 1); e.preventDefault(); }
        else if (e.key === "k") { select(sel - 1); e.preventDefault(); }
        else if ((e.key === "Enter" || e.key === "o") && row) { location.href = "/console/tickets/" + row.dataset.id; }
        else if (e.key === "r" && row) { location.href = "/console/tickets/" + row.dataset.id + "#reply"; }
        else if (e.key === "x" && row) {
          var box = row.querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
          e.preventDefault();
        }
        else if (e.key === "a" && row) {
          post("/console/tickets/" + row.dataset.id + "/assign-me", { _csrf: document.body.dataset.csrf || csrf(), back: location.pathname + location.search });
        }
      } else if (reply) {
        // Ticket page: r reply, m macro, e resolve.
        if (e.key === "r") { reply.focus(); e.preventDefault(); }
        else if (e.key === "m") { var m = document.getElementById("macro-select"); if (m) { m.focus(); e.preventDefault(); } }
        else if (e.key === "e") {
          var panel = document.getElementById("act-resolve");
          if (panel) { location.hash = "#act-resolve"; var f = panel.querySelector("textarea, select"); if (f) f.focus(); e.preventDefault(); }
        }
      }
    });
  }
  function openHelp() {
    if (!help) return;
    if (help.showModal) help.showModal(); else help.setAttribute("open", "");
  }
  document.querySelectorAll("[data-help]").forEach(function (b) { b.addEventListener("click", openHelp); });
  if (location.hash === "#search") { var s0 = document.getElementById("search"); if (s0) s0.focus(); }
  // Forms that discard something ask first: forms.js does that for form[data-confirm].

  // Queue selection, kept across pages in this tab (sessionStorage) with a visible count;
  // the bulk form sends every kept id, not only those on this page.
  var bulkForm = document.getElementById("bulk-form");
  var KEY = "loopdesk.selection";
  function kept() { try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function keep(ids) { try { sessionStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode: page-only */ } }
  function showCount() {
    var c = document.getElementById("selected-count");
    if (c) c.textContent = c.dataset.one.replace("{n}", kept().length);
  }
  function markKept() {
    var ids = kept();
    document.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = ids.indexOf(b.value) >= 0; });
    showCount();
  }
  if (bulkForm) {
    if (/[?&]ok=bulk/.test(location.search)) keep([]);
    markKept();
    bulkForm.addEventListener("change", function (e) {
      var b = e.target;
      if (!b || b.name !== "ids") return;
      var ids = kept().filter(function (x) { return x !== b.value; });
      if (b.checked) ids.push(b.value);
      keep(ids); showCount();
    });
    var clear = document.getElementById("clear-selection");
    if (clear) clear.addEventListener("click", function () { keep([]); markKept(); });
    var actionSel = document.getElementById("bulk-action");
    var showFields = function () {
      var a = actionSel.value;
      bulkForm.querySelectorAll("[data-for]").forEach(function (el) {
        el.hidden = el.dataset.for.split(" ").indexOf(a) < 0;
      });
    };
    if (actionSel) { actionSel.addEventListener("change", showFields); showFields(); }
    bulkForm.addEventListener("submit", function (e) {
      var ids = kept();
      var onPage = {};
      bulkForm.querySelectorAll("input[name=ids]").forEach(function (b) { onPage[b.value] = true; });
      var opt = actionSel && actionSel.options[actionSel.selectedIndex];
      if (opt && opt.dataset.confirm && !window.confirm(opt.dataset.confirm.replace("{n}", ids.length))) { e.preventDefault(); return; }
      ids.forEach(function (id) {
        if (onPage[id]) return;
        var i = document.createElement("input");
        i.type = "hidden"; i.name = "ids"; i.value = id; bulkForm.appendChild(i);
      });
    });
    document.body.addEventListener("loopdesk:updated", markKept);
  }
  // Reply templates: choosing one fills the box (the button does the same without script).
  var tpl = document.getElementById("reply-template");
  if (tpl && reply) {
    tpl.addEventListener("change", function () {
      var o = tpl.options[tpl.selectedIndex];
      if (o && o.dataset.text) { reply.value = o.dataset.text; reply.focus(); }
    });
  }
  // Select-all on the queue (the kept selection follows).
  var all = document.getElementById("select-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=ids]").forEach(function (c) {
      if (c.checked !== all.checked) { c.checked = all.checked; c.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  });

  // Live updates. With EventSource: the server's event stream says which visible ticket
  // changed; the parts of this page that show it are fetched again and swapped in place
  // (the reply being typed is kept). Without it: poll a small JSON endpoint and show a banner.
  var live = document.querySelector("[data-live]");
  var ticketId = live && live.dataset.ticket;
  var swapIds = ticketId ? ["timeline", "state", "priority", "assignee", "sla"] : ["total"];
  var pending = null, version = live ? Number(live.dataset.version) : 0;
  function refresh() {
    pending = null;
    fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        swapIds.forEach(function (id) {
          var now = document.getElementById(id), next = doc.getElementById(id);
          if (now && next) now.innerHTML = next.innerHTML;
        });
        if (!ticketId) {
          ["table.queue tbody", "nav.tabs"].forEach(function (q) {
            var now = document.querySelector(q), next = doc.querySelector(q);
            if (now && next) now.innerHTML = next.innerHTML;
          });
          if (sel >= 0 && rows[sel]) rows[sel].classList.remove("sel");
          rows = queueRows(); sel = -1;
        }
        document.body.dispatchEvent(new CustomEvent("loopdesk:updated"));
      })
      .catch(function () {});
  }
  if (live && window.EventSource && window.fetch && window.DOMParser) {
    var es = new EventSource("/api/v1/live");
    es.addEventListener("ticket", function (m) {
      var c; try { c = JSON.parse(m.data); } catch (e) { return; }
      if (ticketId && String(c.ticket_id) !== ticketId) return;
      if (ticketId && c.version <= version) return;
      if (ticketId) version = c.version;
      // Several changes in a burst cost one reload of the page's parts.
      if (!pending) pending = setTimeout(refresh, ticketId ? 100 : 1000);
    });
    es.addEventListener("resync", function () { if (!pending) pending = setTimeout(refresh, 100); });
    document.body.dataset.live = "sse";
  } else if (live && window.fetch) {
    var url = live.dataset.live, seen = live.dataset.version, banner = document.getElementById("live-banner");
    setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j) return;
          var v = String(j.ticket ? j.ticket.version : j.total);
          if (seen !== undefined && v !== seen && banner) banner.hidden = false;
        })
        .catch(function () {});
    }, 8000);
  }
  // SLA countdowns keep running between page loads (the server wrote the same text).
  function dueSpan(units, minutes) {
    var d = Math.floor(minutes / 1440), h = Math.floor(minutes % 1440 / 60), m = minutes % 60;
    var u = function (n, i) { return units[i].replace("{n}", n); };
    if (!d && !h) return u(m, 2);
    if (!d) return m ? u(h, 1) + " " + u(m, 2) : u(h, 1);
    return h ? u(d, 0) + " " + u(h, 1) : u(d, 0);
  }
  var nowAt = document.querySelector("[data-now]");
  var skew = nowAt ? Number(nowAt.dataset.now) - Date.now() : 0;
  function tickDue() {
    var table = document.querySelector("[data-due-units]");
    if (!table) return;
    // The server's clock, carried forward: a browser whose clock is off still counts right.
    var units = table.dataset.dueUnits.split("|"), now = Date.now() + skew;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Math.round((Number(el.dataset.due) - now) / 60000), over = left < 0;
      el.textContent = (over ? table.dataset.dueOver : table.dataset.dueLeft).replace("{d}", dueSpan(units, Math.abs(left)));
      el.className = "due " + (over ? "due-over" : left < 240 ? "due-soon" : "due-later");
    });
  }
  setInterval(tickDue, 30000);
  document.body.addEventListener("loopdesk:updated", tickDue);
})();
