// The ledger's sorting, filtering and histories. Everything but the
// histories is in the HTML; this reorders and hides ledger rows, and
// shows an item's journal entries when its status trail is clicked.
(function () {
  "use strict";
  var holder = document.getElementById("ledger-rows");
  if (!holder) return;
  var rows = Array.prototype.slice.call(holder.querySelectorAll("tr"));
  var heads = Array.prototype.slice.call(document.querySelectorAll("#ledger thead th"));
  var cols = document.querySelector("#ledger colgroup");
  var chunkSize = 200;
  var q = document.getElementById("q");
  var selects = { k: document.getElementById("f-kind"), s: document.getElementById("f-status"),
    c: document.getElementById("f-currency"), p: document.getElementById("f-provider") };
  var attention = document.getElementById("f-attention");
  var shown = document.getElementById("shown");
  var texts = null; // each row's text, lower case, made on the first search
  var histories = null; // parsed on the first click
  // The page comes sorted by the column marked aria-sort (When, oldest
  // first; ties by address).
  var sortCol = -1, sortDir = 1;
  heads.forEach(function (th, col) { if (th.getAttribute("aria-sort") === "ascending") sortCol = col; });

  // The filter choices are the values the rows have.
  Object.keys(selects).forEach(function (attr) {
    var seen = {};
    rows.forEach(function (r) { var v = r.getAttribute("data-" + attr); if (v) seen[v] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = document.createElement("option"); o.value = v; o.textContent = v; selects[attr].appendChild(o);
    });
  });

  // Amounts are exact decimal strings: compare digits, never floats.
  function cmpDecimal(a, b) {
    if (a === b) return 0;
    if (a === "") return -1;
    if (b === "") return 1;
    var x = a.split("."), y = b.split(".");
    if (x[0].length !== y[0].length) return x[0].length - y[0].length;
    if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
    var f = x[1] || "", g = y[1] || "", n = Math.max(f.length, g.length);
    while (f.length < n) f += "0";
    while (g.length < n) g += "0";
    return f < g ? -1 : f > g ? 1 : 0;
  }
  // Gateway ids: numbers as numbers, the rest as text.
  function cmpID(a, b) {
    var na = /^[0-9]+$/.test(a), nb = /^[0-9]+$/.test(b);
    if (na && nb && a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function cmpText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function visible() {
    var needle = q.value.trim().toLowerCase();
    if (needle && !texts) texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var want = {};
    Object.keys(selects).forEach(function (a) { want[a] = selects[a].value; });
    var onlyAttention = attention.checked;
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], ok = true;
      for (var a in want) {
        if (want[a] && r.getAttribute("data-" + a) !== want[a]) { ok = false; break; }
      }
      if (ok && onlyAttention && !r.getAttribute("data-a")) ok = false;
      if (ok && needle && texts[i].indexOf(needle) < 0) ok = false;
      if (ok) out.push(i);
    }
    return out;
  }

  // render shows the visible rows in order, in tables of chunkSize rows
  // that the browser lays out only when on screen.
  function render() {
    var idx = visible();
    if (sortCol >= 0) {
      var kind = heads[sortCol].getAttribute("data-sort");
      var cmp = kind === "num" ? cmpDecimal : kind === "id" ? cmpID : cmpText;
      var keys = {};
      idx.forEach(function (i) { keys[i] = rows[i].cells[sortCol].textContent; });
      idx.sort(function (i, j) { return sortDir * cmp(keys[i], keys[j]) || i - j; });
    }
    var frag = document.createDocumentFragment();
    for (var start = 0; start < idx.length; start += chunkSize) {
      var div = document.createElement("div");
      div.className = "chunk";
      div.style.containIntrinsicSize = "auto " + 36 * (Math.min(start + chunkSize, idx.length) - start) + "px";
      var table = document.createElement("table");
      table.className = "list ledger";
      table.appendChild(cols.cloneNode(true));
      var body = document.createElement("tbody");
      for (var k = start; k < Math.min(start + chunkSize, idx.length); k++) body.appendChild(rows[idx[k]]);
      table.appendChild(body);
      div.appendChild(table);
      frag.appendChild(div);
    }
    holder.textContent = "";
    holder.appendChild(frag);
    shown.textContent = String(idx.length);
  }

  heads.forEach(function (th, col) {
    if (!th.hasAttribute("data-sort")) return;
    th.addEventListener("click", function () {
      sortDir = sortCol === col ? -sortDir : 1;
      sortCol = col;
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      render();
    });
  });
  var timer = 0;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 120); });
  Object.keys(selects).forEach(function (a) { selects[a].addEventListener("change", render); });
  attention.addEventListener("change", render);

  // A status trail opens and closes its item's journal entries.
  function toggle(trail) {
    var tr = trail.closest("tr"), open = trail.nextElementSibling;
    if (open) {
      open.remove();
      trail.setAttribute("aria-expanded", "false");
      return;
    }
    if (!histories) histories = JSON.parse(document.getElementById("histories").textContent);
    var ol = document.createElement("ol");
    ol.className = "hist";
    (histories[Number(tr.getAttribute("data-i"))] || []).forEach(function (line) {
      var li = document.createElement("li"); li.textContent = line; ol.appendChild(li);
    });
    trail.after(ol);
    trail.setAttribute("aria-expanded", "true");
    if (texts) texts[rows.indexOf(tr)] = tr.textContent.toLowerCase();
  }
  holder.addEventListener("click", function (e) {
    var t = e.target.closest(".trail");
    if (t) toggle(t);
  });
  holder.addEventListener("keydown", function (e) {
    var t = e.target.closest(".trail");
    if (t && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggle(t); }
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
