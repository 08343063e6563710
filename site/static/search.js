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
  var help = document.getElementById("search-help");
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

  // The words of a query too short to be looked up (one or two letters, not CJK): the
  // page says so rather than showing every scenario as if they matched.
  function tooShort(text) {
    return (fold(text).match(pieces) || []).filter(function (piece) {
      return !isCjk.test(piece) && piece.length < 3;
    });
  }

  function shardOf(term) {
    var key = isCjk.test(term) ? term.slice(0, 2) : term.slice(0, 3);
    return Array.from(new TextEncoder().encode(key), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // A word's file, or null when no scenario has a word of its key: the list of the files
  // of its first byte (keys/XX.json, one for every byte a word can start with) says so
  // without a request that would fail.
  function wordFile(term) {
    var key = shardOf(term);
    return fetchJson("keys/" + key.slice(0, 2) + ".json").then(function (keys) {
      return keys && keys.indexOf(key) >= 0 ? fetchJson("terms/" + key + ".json") : null;
    });
  }

  // Scores of the scenarios containing a word that starts with `term`. The index keeps
  // only the first meta.word_length characters of a word (code points, as Python counts).
  function lookup(term) {
    term = Array.from(term).slice(0, meta.word_length).join("");
    return wordFile(term).then(function (shard) {
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
    var short = tooShort(input.value);
    var found;
    if (query.length === 0 && short.length) {
      found = Promise.resolve([]);
    } else if (query.length === 0) {
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
      var hints = docs.length || !query.length ? Promise.resolve([]) : suggestions(query);
      hints.then(function (words) {
        if (current !== generation) { return; }
        showMore(function () {
          list.textContent = "";
          report(docs.length, query, short, words);
        });
      });
    });
  }

  // The count, what was not searched, and on no result what may help: the indexed words
  // nearest the query's (a typo) and a search without the filters chosen.
  function report(count, query, short, words) {
    var quoted = short.map(function (w) { return "\u201c" + w + "\u201d"; }).join(", ");
    if (!query.length && short.length) {
      status.textContent = "Too short to search: " + quoted +
        ". Type a word of three letters or more.";
    } else {
      status.textContent = (count === 1 ? "1 scenario" : count + " scenarios") +
        (short.length ? " (not searched, too short: " + quoted + ")" : "");
    }
    help.textContent = "";
    var filtered = filters.some(function (select) { return select.value; }) || author;
    help.hidden = count > 0 || (!words.length && !(filtered && query.length));
    if (help.hidden) { return; }
    if (words.length) {
      help.append("Did you mean ");
      words.forEach(function (near, n) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = near.word;
        button.addEventListener("click", function () {
          // The query's words with this one in place of the word it corrects.
          input.value = query.map(function (term, i) { return i === near.at ? near.word : term; }).join(" ");
          remember();
          run();
          input.focus();
        });
        help.append(n ? ", " : "", button);
      });
      help.append("? ");
    }
    if (filtered && query.length) {
      var clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "Search all scenarios, without the filters";
      clear.addEventListener("click", function () {
        filters.forEach(function (select) { select.value = ""; });
        author = "";
        authorNote.hidden = true;
        remember();
        run();
        input.focus();
      });
      help.append(clear);
    }
  }

  // For each word of the query, the indexed words of its file nearest it (at most two
  // letters apart, the closest first, three at most): a typo's likely word. Each is
  // `{word, at}`, `at` the place in the query of the word it would replace.
  function suggestions(query) {
    return Promise.all(query.map(wordFile)).then(function (shards) {
      var found = [];
      query.forEach(function (term, at) {
        if (isCjk.test(term) || term.length < 4) { return; }
        var words = Object.keys(shards[at] || {}).filter(function (word) {
          return word.indexOf(term) !== 0;
        });
        words.map(function (word) { return {word: word, at: at, apart: distance(term, word)}; })
          .filter(function (near) { return near.apart <= 2; })
          .sort(function (a, b) { return a.apart - b.apart || (a.word < b.word ? -1 : 1); })
          .slice(0, 3)
          .forEach(function (near) { found.push(near); });
      });
      return found;
    });
  }

  // How many letters to add, drop, change or swap to make `a` into `b` (Damerau-Levenshtein,
  // restricted: each letter moved once).
  function distance(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i++) {
      rows.push([i]);
      for (var j = 1; j <= b.length; j++) {
        if (i === 0) { rows[i].push(j); continue; }
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          best = Math.min(best, rows[i - 2][j - 2] + 1);
        }
        rows[i].push(best);
      }
    }
    return rows[a.length][b.length];
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
    var query = terms(input.value);
    if (query.length) { showMatched(item, entry[0], meta.languages[row[2]], query); }
    return item;
  }

  // Under a result, the first entries of the scenario that hold a word searched for
  // ("la cuenta — the bill"), from its search/entries/ file.
  function showMatched(item, id, language, query) {
    fetchJson("entries/" + id + ".json").then(function (entries) {
      var found = (entries || []).filter(function (pair) {
        var words = terms(pair[0] + " " + pair[1]);
        return query.some(function (term) {
          return words.some(function (word) { return word.indexOf(term) === 0; });
        });
      }).slice(0, 2);
      if (!found.length) { return; }
      var matched = document.createElement("ul");
      matched.className = "matched";
      found.forEach(function (pair) {
        var line = document.createElement("li");
        var words = document.createElement("span");
        words.lang = language;
        words.dir = "auto";
        words.textContent = pair[0];
        line.append(words, pair[1] ? " \u2014 " + pair[1] : "");
        matched.append(line);
      });
      item.append(matched);
    });
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
