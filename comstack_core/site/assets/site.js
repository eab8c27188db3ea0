/* ComStack site script: search-as-you-type and "show the whole sidebar group". Loaded with defer;
   the page is complete without it. Index entries: {t: title, d: description, u: url, x: excerpt}. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var root = new URL("../", me.src);
  var get = function (path) {
    return fetch(new URL(path, root)).then(function (r) { return r.ok ? r.json() : null; });
  };
  var box = document.querySelector(".cs-search");
  if (box) {
    var input = box.querySelector("input"), out = box.querySelector(".cs-results"), data = null, loading = null;
    box.hidden = false;
    var load = function () {
      if (!loading) loading = get(me.dataset.index).then(function (j) { data = j || []; });
      return loading;
    };
    var show = function () {
      var q = input.value.toLowerCase().trim();
      out.textContent = "";
      if (!q || !data) return;
      var terms = q.split(/\s+/), hits = [];
      for (var i = 0; i < data.length && hits.length < 200; i++) {
        var p = data[i], title = p.t.toLowerCase(), hay = title + " " + (p.d + " " + p.x).toLowerCase();
        if (terms.every(function (w) { return hay.indexOf(w) >= 0; })) {
          hits.push([terms.filter(function (w) { return title.indexOf(w) >= 0; }).length, p]);
        }
      }
      hits.sort(function (a, b) { return b[0] - a[0]; });
      hits.slice(0, 10).forEach(function (h) {
        var a = document.createElement("a"), s = document.createElement("small");
        a.href = new URL(h[1].u, root).href;
        a.textContent = h[1].t;
        s.textContent = h[1].d || h[1].x;
        a.appendChild(s);
        out.appendChild(a);
      });
    };
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load().then(show); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; out.textContent = ""; }
    });
  }
  document.querySelectorAll(".cs-more").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      get(me.dataset.nav).then(function (nav) {
        var items = nav && nav[btn.dataset.group], list = btn.previousElementSibling;
        if (!items || !list) return;
        var here = location.href.split("#")[0];
        list.textContent = "";
        items.forEach(function (it) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = new URL(it[1], root).href;
          a.textContent = it[0];
          if (a.href === here) a.setAttribute("aria-current", "page");
          li.appendChild(a);
          list.appendChild(li);
        });
        btn.remove();
      });
    });
  });
})();
