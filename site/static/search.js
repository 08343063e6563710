// Home page search and filters, without a server.
//
// The build writes a sharded index under search/: meta.json (the filter values of every
// scenario, a few bytes each, and their display order), docs/N.json (titles and links, in
// chunks of 100, numbered in id order) and
// terms/KEY.json (for the words that start with the same three letters, or the same two
// CJK characters: which scenarios contain them, and how much each occurrence weighs).
// A query fetches only the shards of its own words, so the page stays fast for tens of
// thousands of scenarios. Words are normalised exactly as scenariokit/tokens.py does.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.getAttribute("data-base") || "";
  var PAGE = 20;
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f";
  var pieces = new RegExp("[" + CJK + "]+|(?:(?![" + CJK + "])[\\p{L}\\p{N}])+", "gu");
  var isCjk = new RegExp("^[" + CJK + "]");
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  var more = document.getElementById("more");
  // The CEFR select is there only when some scenario gives a level.
  var filters = ["category", "difficulty", "language", "duration", "cefr"].map(function (name) {
    return document.getElementById(name);
  }).filter(Boolean);

  function chosen(name) {
    var select = filters.find(function (each) { return each.name === name; });
    return select ? select.value : "";
  }
  // "My scenarios": ?author=LOGIN (each scenario page links its author's list).
  var authorNote = document.getElementById("author-filter");
  var author = "";
  var cache = {};
  var meta = null;
  var rank = [];  // each scenario's place in display order
  var shown = 0;
  var matches = [];
  var generation = 0;

  function fetchJson(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + "/search/" + path).then(function (response) {
        return response.ok ? response.json() : null;
      });
    }
    return cache[path];
  }

  // tokens.py's _MARKS: accents, Arabic vowel marks and tatweel, the ʾ and ʿ of
  // transliterations.
  var marks = /[\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u02be\u02bf]/g;

  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(marks, "").normalize("NFC");
  }

  function terms(text) {
    var found = [];
    (fold(text).match(pieces) || []).forEach(function (piece) {
      if (isCjk.test(piece)) {
        if (piece.length === 1) { found.push(piece); }
        for (var i = 0; i + 1 < piece.length; i++) { found.push(piece.slice(i, i + 2)); }
      } else if (piece.length >= 3) {
        found.push(piece);
      }
    });
    return found;
  }

  // The words a search looks up; also read by the tests, which hold them to tokens.py.
  window.scenariokitSearchTerms = terms;

  function shardOf(term) {
    var key = isCjk.test(term) ? term.slice(0, 2) : term.slice(0, 3);
    return Array.from(new TextEncoder().encode(key), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // Scores of the scenarios containing a word that starts with `term`. The index keeps
  // only the first meta.word_length characters of a word (code points, as Python counts).
  function lookup(term) {
    term = Array.from(term).slice(0, meta.word_length).join("");
    return fetchJson("terms/" + shardOf(term) + ".json").then(function (shard) {
      var scores = new Map();
      if (!shard) { return scores; }
      Object.keys(shard).forEach(function (word) {
        if (word.indexOf(term) !== 0) { return; }
        var postings = shard[word];
        for (var i = 0; i < postings.length; i += 2) {
          scores.set(postings[i], (scores.get(postings[i]) || 0) + postings[i + 1]);
        }
      });
      return scores;
    });
  }

  function passes(doc) {
    var row = meta.docs[doc];
    var wanted = ["category", "difficulty", "language", "duration", "cefr"].map(chosen);
    return (!wanted[0] || meta.categories[row[0]] === wanted[0]) &&
      (!wanted[1] || meta.difficulties[row[1]] === wanted[1]) &&
      (!wanted[2] || meta.languages[row[2]] === wanted[2] ||
        meta.language_primaries[row[2]] === wanted[2]) &&
      (!wanted[3] || row[3] <= Number(wanted[3])) &&
      (!wanted[4] || meta.cefrs[row[5]] === wanted[4]) &&
      (!author || meta.authors[row[4]] === author);
  }

  function run() {
    var current = ++generation;
    var query = terms(input.value);
    var found;
    if (query.length === 0) {
      found = Promise.resolve(meta.order.filter(passes));
    } else {
      found = Promise.all(query.map(lookup)).then(function (maps) {
        var total = new Map();
        maps[0].forEach(function (score, doc) {
          if (maps.every(function (m) { return m.has(doc); }) && passes(doc)) {
            total.set(doc, maps.reduce(function (sum, m) { return sum + m.get(doc); }, 0));
          }
        });
        return Array.from(total.keys()).sort(function (a, b) {
          return total.get(b) - total.get(a) || rank[a] - rank[b];
        });
      });
    }
    found.then(function (docs) {
      if (current !== generation) { return; }
      matches = docs;
      shown = 0;
      showMore(function () {
        list.textContent = "";
        status.textContent = docs.length === 1 ? "1 scenario" : docs.length + " scenarios";
      });
    });
  }

  // Show the next page of matches; `replace` runs first when the new cards are ready, so
  // the list and the count change together.
  function showMore(replace) {
    var page = matches.slice(shown, shown + PAGE);
    shown += page.length;
    more.hidden = shown >= matches.length;
    var chunks = Array.from(new Set(page.map(function (doc) { return Math.floor(doc / meta.chunk); })));
    var current = generation;
    Promise.all(chunks.map(function (n) { return fetchJson("docs/" + n + ".json"); })).then(function (loaded) {
      if (current !== generation) { return; }
      var byChunk = {};
      chunks.forEach(function (n, i) { byChunk[n] = loaded[i]; });
      if (typeof replace === "function") { replace(); }
      var cards = page.map(function (doc) {
        var entry = byChunk[Math.floor(doc / meta.chunk)][doc % meta.chunk];
        return list.appendChild(card(doc, entry));
      });
      // "Show more" from the keyboard: focus goes on to the first new scenario, not back
      // to the top of the page when the button hides itself after the last ones.
      if (typeof replace !== "function" && cards.length) { cards[0].querySelector("a").focus(); }
    });
  }

  // Every value is set as text, never as HTML.
  function card(doc, entry) {
    var row = meta.docs[doc];
    var item = document.createElement("li");
    item.className = "card";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = base + "/scenarios/" + entry[0] + "/";
    link.textContent = entry[1];
    heading.appendChild(link);
    var line = document.createElement("p");
    line.className = "meta";
    var level = meta.difficulty_names[row[1]] + (row[5] >= 0 ? " (" + meta.cefrs[row[5]] + ")" : "");
    line.textContent = [meta.language_names[row[2]], level,
      meta.category_names[row[0]], row[3] + " min"].join(" · ");
    var text = document.createElement("p");
    text.textContent = entry[2];
    item.append(heading, line, text);
    return item;
  }

  function remember() {
    var params = new URLSearchParams();
    if (input.value) { params.set("q", input.value); }
    filters.forEach(function (select) { if (select.value) { params.set(select.name, select.value); } });
    if (author) { params.set("author", author); }
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    filters.forEach(function (select) { select.value = params.get(select.name) || ""; });
    author = params.get("author") || "";
    authorNote.hidden = !author;
    authorNote.querySelector("span").textContent = author ? "Scenarios by " + author + "." : "";
  }

  var timer = null;
  form.addEventListener("submit", function (event) { event.preventDefault(); remember(); run(); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { remember(); run(); }, 150);
  });
  filters.forEach(function (select) {
    select.addEventListener("change", function () { remember(); run(); });
  });
  more.addEventListener("click", function () { showMore(); });
  document.getElementById("all-authors").addEventListener("click", function () {
    author = "";
    authorNote.hidden = true;
    remember();
    run();
    input.focus();
  });

  fetchJson("meta.json").then(function (loaded) {
    meta = loaded;
    meta.order.forEach(function (doc, place) { rank[doc] = place; });
    restore();
    run();
  });
})();
