/* ComStack site script: the search dialog over the sharded index, the table of contents that follows the
   reading position, the sidebar drawer, the light/dark/system toggle, copy buttons and "show the whole
   sidebar group". Loaded with defer; every page is complete and readable without it. The index format is
   described in the builder's search.py. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var doc = document, html = doc.documentElement, root = new URL("../", me.src), T = {};
  try { T = JSON.parse(me.dataset.t || "{}"); } catch (e) { /* keep the keys as labels */ }
  var $ = function (s, el) { return (el || doc).querySelector(s); };
  var $$ = function (s, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(s)); };
  var get = function (path) {
    return fetch(new URL(path, root)).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + path);
      return r.json();
    });
  };
  var say = function (text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  };
  // Reader preferences: localStorage, or the tab's window.name where the site is sandboxed (no storage).
  var store = {
    get: function (k) {
      try { return JSON.parse(localStorage.getItem(k)); } catch (e) {
        try { return JSON.parse(window.name || "{}")[k]; } catch (e2) { return null; }
      }
    },
    set: function (k, v) {
      try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) {
        var all = {};
        try { all = JSON.parse(window.name || "{}") || {}; } catch (e2) { /* not ours: replace it */ }
        all[k] = v;
        window.name = JSON.stringify(all);
      }
    }
  };
  // Work the first paint does not need runs when the browser is idle, in tasks of its own.
  var later = function (work) { (window.requestIdleCallback || setTimeout)(work); };
  var el = function (tag, cls, text) {
    var n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  };

  // -- the icon font, once the page has loaded and painted (see .cs-ico in the stylesheet) ------------------
  var painted = new Promise(function (resolve) {
    try {
      new PerformanceObserver(function (list, seen) {
        if (list.getEntries().some(function (e) { return e.name === "first-contentful-paint"; })) {
          seen.disconnect();
          resolve();
        }
      }).observe({ type: "paint", buffered: true });
    } catch (e) { resolve(); } // no paint timing: do not wait for it
  });
  var loaded = new Promise(function (resolve) {
    if (doc.readyState === "complete") resolve(); else addEventListener("load", resolve);
  });
  Promise.all([painted, loaded]).then(function () {
    requestAnimationFrame(function () { setTimeout(function () { html.classList.add("cs-icons"); }); });
  });

  // -- light / dark / system --------------------------------------------------------------------------
  var themeBtn = $(".cs-theme");
  if (themeBtn) {
    var modes = ["system", "light", "dark"], icons = { system: "auto", light: "sun", dark: "moon" };
    var mode = store.get("cs-theme");
    if (modes.indexOf(mode) < 0) mode = "system";
    var applyTheme = function () {
      if (mode === "system") delete html.dataset.theme; else html.dataset.theme = mode;
      themeBtn.setAttribute("aria-label", T.theme + ": " + T["theme_" + mode]);
      themeBtn.title = themeBtn.getAttribute("aria-label");
      themeBtn.firstElementChild.className = "cs-i cs-i-" + icons[mode];
    };
    applyTheme();
    themeBtn.addEventListener("click", function () {
      mode = modes[(modes.indexOf(mode) + 1) % modes.length];
      store.set("cs-theme", mode === "system" ? null : mode);
      applyTheme();
    });
  }

  // -- sidebar drawer (narrow screens) ------------------------------------------------------------------
  var menu = $(".cs-menu"), side = $("#cs-side");
  if (menu && side) {
    var drawer = function (open, refocus) {
      html.classList.toggle("cs-drawer", open);
      menu.setAttribute("aria-expanded", String(open));
      if (open) (($('[aria-current="page"]', side) || $("a", side))).focus();
      else if (refocus) menu.focus();
    };
    menu.addEventListener("click", function () { drawer(!html.classList.contains("cs-drawer"), true); });
    doc.addEventListener("keydown", function (e) {
      if (!html.classList.contains("cs-drawer")) return;
      if (e.key === "Escape") drawer(false, true);
      if (e.key !== "Tab") return;
      // Keep the keyboard in the open drawer and its button, as in a dialog.
      var ring = [menu].concat($$("a, button:not([hidden])", side)), at = ring.indexOf(doc.activeElement);
      var next = at < 0 ? 0 : at + (e.shiftKey ? -1 : 1);
      if (at < 0 || next < 0 || next >= ring.length) {
        e.preventDefault();
        ring[(next + ring.length) % ring.length].focus();
      }
    });
    doc.addEventListener("click", function (e) {
      if (html.classList.contains("cs-drawer") && !side.contains(e.target) && !menu.contains(e.target)) drawer(false);
    });
    matchMedia("(min-width: 60.01rem)").addEventListener("change", function (e) { if (e.matches) drawer(false); });
  }

  // -- table of contents: the section being read ----------------------------------------------------------
  // The current section is the last heading above a line near the top of the window. An observer whose
  // area starts at that line says which headings are above it, without forcing a layout of the page.
  var toc = $(".cs-toc");
  if (toc && window.IntersectionObserver) {
    var tocLinks = $$("a", toc), line = Math.round(Math.min(120, innerHeight / 3));
    var heads = tocLinks.map(function (a) { return doc.getElementById(decodeURIComponent(a.hash.slice(1))); });
    var above = heads.map(function () { return false; }), lit = null, ticking = false;
    var follow = function () {
      ticking = false;
      var at = 0;
      above.forEach(function (up, i) { if (up) at = i; });
      if (innerHeight + scrollY >= html.scrollHeight - 2) at = heads.length - 1; // the end of the page
      var a = tocLinks[at];
      if (a === lit) return;
      if (lit) { lit.removeAttribute("aria-current"); lit.classList.remove("cs-on"); }
      a.setAttribute("aria-current", "true");
      a.classList.add("cs-on");
      lit = a;
    };
    var again = function () { if (!ticking) { ticking = true; requestAnimationFrame(follow); } };
    var watch = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        above[heads.indexOf(e.target)] = !e.isIntersecting && e.boundingClientRect.top < line + 1;
      });
      again();
    }, { rootMargin: -line + "px 0px 100000px 0px" });
    heads.forEach(function (h) { if (h) watch.observe(h); });
    addEventListener("scroll", again, { passive: true });
  }

  // -- copying: code blocks, the page as Markdown ------------------------------------------------------
  var copy = function (text, btn) {
    var label = btn.getAttribute("aria-label"), words = btn.textContent;
    var done = function () { // "Copied" for a moment, as the button's name (icon buttons) or its text
      btn.classList.add("cs-done");
      if (label) btn.setAttribute("aria-label", T.copied); else btn.textContent = T.copied;
      setTimeout(function () {
        btn.classList.remove("cs-done");
        if (label) btn.setAttribute("aria-label", label); else btn.textContent = words;
      }, 1500);
    };
    var fallback = function () { // no clipboard API (sandboxed or older browsers): a selection
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "cs-offscreen";
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { /* nothing more to try */ }
      area.remove();
      btn.focus();
      if (ok) done();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  };
  later(function () {
    $$("main .cs-code").forEach(function (box) {
      var pre = $("pre", box), b = el("button", "cs-copy cs-ib");
      b.type = "button";
      b.setAttribute("aria-label", T.copy_code);
      b.title = T.copy_code;
      b.appendChild(el("span", "cs-i cs-i-copy"));
      b.addEventListener("click", function () { copy(pre.innerText.replace(/\n$/, ""), b); });
      box.appendChild(b);
    });
  });
  var mdBtn = $(".cs-copy-md");
  if (mdBtn) {
    var mdText = null, mdUrl = new URL(mdBtn.dataset.md, location.href);
    var fetchMd = function () {
      if (!mdText) mdText = fetch(mdUrl).then(function (r) { return r.text(); });
      return mdText;
    };
    mdBtn.closest("details").addEventListener("toggle", fetchMd); // fetched before the click needs it
    mdBtn.addEventListener("click", function () { fetchMd().then(function (t) { copy(t, mdBtn); }); });
  }

  $$(".cs-copy-cmd").forEach(function (b) { // the site's MCP server: its URL, the command to add it
    b.addEventListener("click", function () { copy(b.dataset.cmd, b); });
  });

  // -- "show all pages" of a large sidebar group --------------------------------------------------------
  $$(".cs-more").forEach(function (btn) {
    btn.addEventListener("click", function () {
      get(me.dataset.nav).then(function (nav) {
        var items = nav && nav[btn.dataset.group], list = btn.previousElementSibling;
        if (!items || !list) return;
        var here = location.href.split("#")[0];
        list.textContent = "";
        items.forEach(function (it) {
          var li = el("li"), a = el("a", "", it[0]);
          a.href = new URL(it[1], root).href;
          if (a.href === here) a.setAttribute("aria-current", "page");
          li.appendChild(a);
          list.appendChild(li);
        });
        btn.remove();
      });
    });
  });

  // -- search ---------------------------------------------------------------------------------------------
  var box = $(".cs-search"), dlg = $(".cs-dialog");
  if (!box || !dlg || !dlg.showModal) return;
  var opener = $("input", box), q = $(".cs-q", dlg), list = $(".cs-results", dlg), status = $(".cs-status", dlg);
  var MAX_PAGES = 8, MAX_HEADINGS = 3, MAX_RANGE = 4;
  var index = null, shards = {}, docShards = {}, options = [], active = -1, seq = 0;

  var words = function (text) {
    // As the builder's search.terms_of: lower case, accents off, runs of letters and digits.
    var found = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, "")
      .match(/[\p{L}\p{N}]+/gu) || [];
    return found.filter(function (w) { return w.length >= 2 && w.length <= 32; });
  };
  // The shard list (see search.py): keys written as how many characters they share with the key before
  // and the rest, "=" after one that holds only the term equal to it; the shards' names follow from them.
  var loadIndex = function () {
    if (!index) {
      index = get(me.dataset.index).then(function (list) {
        var out = { keys: [], exact: {}, base: me.dataset.index.replace(/\.json$/, "/"), p: list.p };
        var prev = "";
        (list.k ? list.k.split(" ") : []).forEach(function (item) {
          var exact = item.slice(-1) === "=";
          prev = Array.from(prev).slice(0, +item[0]).join("") + item.slice(1, exact ? -1 : item.length);
          out.keys.push(prev);
          if (exact) out.exact[prev] = 1;
        });
        return out;
      });
      index.catch(function () { index = null; });
    }
    return index;
  };
  var shard = function (ix, k) {
    var hex = Array.from(new TextEncoder().encode(k), function (b) { return (b | 256).toString(16).slice(1); });
    var url = ix.base + (k ? "t-" + hex.join("") : "t") + ".json"; // search.shard_name
    if (!shards[url]) shards[url] = get(url).catch(function (e) { delete shards[url]; throw e; });
    return shards[url];
  };
  var docShard = function (ix, n) {
    var url = ix.base + "d-" + n + ".json";
    if (!docShards[url]) docShards[url] = get(url).catch(function (e) { delete docShards[url]; throw e; });
    return docShards[url];
  };
  // postings: per document "[step][.section...]<code letter>", nothing between (see search.py); the letter's
  // position in CODES holds bits: 32 the title, 1 << (s - 1) sections 1 to 5, 31 "in more than listed".
  var CODES = "ghijklmnopqrstuvwxyzABCDEFGHIJK*LMNOPQRSTUVWXYZ!#$%&()+-:;<=>?@^";
  var LETTERS = {};
  CODES.split("").forEach(function (c, n) {
    var secs = n & 32 ? [0] : [], all = (n & 31) === 31;
    for (var s = 1; s <= 5 && !all; s++) if (n & (1 << (s - 1))) secs.push(s);
    LETTERS[c] = [secs, all]; // [sections, in more than listed], shared by every entry with this letter
  });
  var postings = function (text) {
    var out = [], doc = -1, re = /([0-9a-f]*)((?:\.[0-9a-f]+)*)([^0-9a-f.])/g, m;
    while ((m = re.exec(text))) {
      var code = LETTERS[m[3]];
      if (!code) continue;
      doc += m[1] ? parseInt(m[1], 16) : 1;
      var later = m[2] ? m[2].slice(1).split(".").map(function (s) { return parseInt(s, 16); }) : null;
      out.push([doc, later ? code[0].concat(later) : code[0], code[1]]);
    }
    return out;
  };
  // Which shards hold the terms starting with w: the key that w starts with (a split key only when it is
  // w itself) and, unless that range is too large to fetch for a short prefix, every longer key.
  var matchWord = function (ix, w) {
    var base = [], longer = [];
    ix.keys.forEach(function (k) {
      if (w.slice(0, k.length) === k) { if (!ix.exact[k] || k.length === w.length) base.push(k); }
      else if (k.slice(0, w.length) === w) longer.push(k);
    });
    var prefix = longer.length <= MAX_RANGE, keys = prefix ? base.concat(longer) : base;
    return Promise.all(keys.map(function (k) { return shard(ix, k); })).then(function (parts) {
      var hits = {};
      parts.forEach(function (terms) {
        Object.keys(terms).forEach(function (t) {
          var exact = t === w;
          if (!exact && !(prefix && t.slice(0, w.length) === w)) return;
          postings(terms[t]).forEach(function (p) {
            var score = (p[1].indexOf(0) >= 0 ? 10 : 0) + (p[2] ? 4 : p[1].length) + (exact ? 3 : 0);
            var hit = hits[p[0]] || (hits[p[0]] = { score: 0, secs: {}, all: false });
            hit.score = Math.max(hit.score, score);
            hit.all = hit.all || p[2];
            p[1].forEach(function (s) { hit.secs[s] = 1; });
          });
        });
      });
      return hits;
    });
  };
  var find = function (ix, ws) {
    return Promise.all(ws.map(function (w) { return matchWord(ix, w); })).then(function (perWord) {
      var ranked = Object.keys(perWord[0]).filter(function (d) {
        return perWord.every(function (h) { return d in h; });
      }).map(function (d) {
        var score = 0, secs = null;
        perWord.forEach(function (h) {
          score += h[d].score;
          if (h[d].all || h[d].secs[0]) return; // all over the page, or in its title: no heading to narrow to
          var mine = Object.keys(h[d].secs);
          secs = secs ? secs.filter(function (s) { return mine.indexOf(s) >= 0; }) : mine;
        });
        return { doc: +d, score: score, secs: secs || [] };
      }).sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      var top = ranked.slice(0, MAX_PAGES), p = ix.p;
      return Promise.all(top.map(function (r) { return docShard(ix, Math.floor(r.doc / p)); })).then(function (rows) {
        return { total: ranked.length, hits: top.map(function (r, i) { r.row = rows[i][r.doc % p]; return r; }) };
      });
    });
  };

  var marker = function (ws) {
    var esc = ws.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    return new RegExp("(^|[^\\p{L}\\p{N}])(" + esc.join("|") + ")", "giu");
  };
  var marked = function (node, text, re) { // text with the query's words in <mark>, never as HTML
    var last = 0, m;
    re.lastIndex = 0;
    while ((m = re.exec(text))) {
      var at = m.index + m[1].length;
      node.appendChild(doc.createTextNode(text.slice(last, at)));
      node.appendChild(el("mark", "", m[2]));
      last = at + m[2].length;
    }
    node.appendChild(doc.createTextNode(text.slice(last)));
    return node;
  };
  var option = function (a) {
    a.id = "cs-o" + options.length;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    options.push(a);
    return a;
  };
  var select = function (n) {
    if (!options.length) return;
    if (options[active]) options[active].setAttribute("aria-selected", "false");
    active = (n + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    q.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  };
  var reset = function () {
    list.textContent = "";
    options = [];
    active = -1;
    q.removeAttribute("aria-activedescendant");
  };
  var done = function (message) {
    status.textContent = message;
    list.setAttribute("role", options.length ? "listbox" : "presentation");
    q.setAttribute("aria-expanded", String(options.length > 0));
    if (options.length) select(0);
  };
  var showRecent = function () {
    reset();
    var recent = store.get("cs-recent") || [];
    if (recent.length) {
      var group = el("div", "cs-group");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", T.recent);
      group.appendChild(el("p", "cs-group-h", T.recent)).setAttribute("aria-hidden", "true");
      recent.forEach(function (text) {
        var a = option(el("a", "cs-recent", text));
        a.href = "#";
        a.dataset.q = text;
        group.appendChild(a);
      });
      list.appendChild(group);
    }
    done("");
  };
  var render = function (found, ws) {
    reset();
    var re = marker(ws);
    found.hits.forEach(function (hit) {
      var row = hit.row, url = new URL(row[1], root).href, group = el("div", "cs-group");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", row[0]);
      var page = option(el("a", "cs-page"));
      page.href = url;
      page.appendChild(marked(el("strong"), row[0], re));
      if (row[2]) page.appendChild(marked(el("small"), row[2], re));
      group.appendChild(page);
      var shown = 0;
      row[3].forEach(function (h, i) {
        re.lastIndex = 0;
        var inSection = hit.secs.indexOf(String(i + 2)) >= 0;
        if (shown >= MAX_HEADINGS || !(inSection || re.test(h[1]))) return;
        var a = option(el("a", "cs-sec"));
        a.href = url + "#" + encodeURIComponent(h[0]);
        group.appendChild(marked(a, h[1], re));
        shown++;
      });
      list.appendChild(group);
    });
    if (found.hits.length) done(found.total === 1 ? T.one_result : say(T.n_results, { n: found.total }));
    else done(say(T.no_results, { q: q.value.trim() }) + " " + T.no_results_hint);
  };
  var run = function () {
    var mine = ++seq, ws = words(q.value);
    if (!ws.length) { showRecent(); return; }
    loadIndex().then(function (ix) { return find(ix, ws); }).then(function (found) {
      if (mine === seq) render(found, ws);
    }).catch(function () {
      if (mine === seq) { reset(); done(say(T.no_results, { q: q.value.trim() }) + " " + T.no_results_hint); }
    });
  };
  var remember = function () {
    var text = q.value.trim();
    if (!text) return;
    var recent = (store.get("cs-recent") || []).filter(function (r) { return r !== text; });
    recent.unshift(text);
    store.set("cs-recent", recent.slice(0, 5));
  };
  var choose = function (a) {
    if (a.dataset.q) { q.value = a.dataset.q; run(); return; }
    remember();
    dlg.close();
    location.href = a.href;
  };
  var open = function (text) {
    if (dlg.open) return;
    if (typeof text === "string" && text) q.value = text;
    dlg.showModal();
    q.focus();
    run();
  };

  opener.addEventListener("input", function () { var t = opener.value; opener.value = ""; open(t); });
  opener.addEventListener("click", function () { open(); });
  opener.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === "ArrowDown") { e.preventDefault(); open(); }
  });
  doc.addEventListener("keydown", function (e) {
    var t = e.target, typing = t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) { e.preventDefault(); open(); }
    else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); open(); }
  });
  q.addEventListener("input", run);
  q.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      select(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter" && options[active]) {
      e.preventDefault();
      choose(options[active]);
    } else if (e.key === "Escape") { // a search field would only clear itself
      e.preventDefault();
      dlg.close();
    }
  });
  list.addEventListener("click", function (e) {
    var a = e.target.closest("a");
    if (!a) return;
    if (a.dataset.q) { e.preventDefault(); choose(a); return; }
    remember();
    dlg.close();
  });
  $(".cs-close", dlg).addEventListener("click", function () { dlg.close(); });
  dlg.addEventListener("click", function (e) { // a click on the backdrop
    var r = dlg.getBoundingClientRect();
    if (e.target === dlg && (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom)) dlg.close();
  });
})();
