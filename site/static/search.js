// Home page search and filters, without a server.
//
// The build writes a sharded index under search/ (search_files.py says what each file
// holds): meta.json (the filters' values and names, the count), order/P.json (the display
// order, in parts), cards/N.json (what a result shows of scenario N), filters/NAME-I.json
// (the scenarios with a filter's value, as a bit set), keys/XX.json (which word files
// exist) and terms/KEY.json: for a prefix of few postings, its words and where they
// occur (a leaf); for a common one, its results already ranked, in parts (a node).
// Home page and a first search fetch a bounded number of small files however many
// scenarios there are. Words are normalised exactly as scenariokit/tokens.py does.
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
  var keyCache = {};
  var meta = null;
  var results = null;  // the current results: {count, shown, next(k)}
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

  function hex(text) {
    return Array.from(new TextEncoder().encode(text), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // The characters of a word as the index keeps it (the first meta.word_length code
  // points, as Python counts) and of the prefix that names its key (search_files._root).
  function characters(term) {
    var chars = Array.from(term).slice(0, meta.word_length);
    return {chars: chars, root: isCjk.test(term) ? 2 : 3};
  }

  // The word files of a key's first byte, leaves and nodes (keys/XX.json, one for every
  // byte a word can start with): a word no scenario has costs no request that would fail.
  function keysOf(lead) {
    if (!keyCache[lead]) {
      keyCache[lead] = fetchJson("keys/" + lead + ".json").then(function (keys) {
        return {leaves: new Set(keys ? keys.leaves : []), nodes: new Set(keys ? keys.nodes : [])};
      });
    }
    return keyCache[lead];
  }

  // Where a word's results are: the leaf of a prefix of it (its words' postings), or the
  // node of exactly the word (its results ranked, in parts); null when no scenario has it.
  function resolve(term) {
    var word = characters(term);
    var chars = word.chars;
    return keysOf(hex(chars.slice(0, 1).join("")).slice(0, 2)).then(function (keys) {
      for (var length = Math.min(word.root, chars.length); length <= chars.length; length++) {
        var key = hex(chars.slice(0, length).join(""));
        var prefix = chars.join("");
        if (keys.leaves.has(key)) {
          return fetchJson("terms/" + key + ".json").then(function (leaf) {
            return {term: prefix, key: key, leaf: leaf};
          });
        }
        if (!keys.nodes.has(key)) { return null; }
        if (length === chars.length) {
          return fetchJson("terms/" + key + ".json").then(function (head) {
            return {term: prefix, key: key, head: head};
          });
        }
      }
      return null;
    });
  }

  // Every word of a word's key, for suggestions: a leaf's words, or those a node lists.
  function keyWords(term) {
    var word = characters(term);
    var key = hex(word.chars.slice(0, word.root).join(""));
    return keysOf(key.slice(0, 2)).then(function (keys) {
      if (!keys.leaves.has(key) && !keys.nodes.has(key)) { return []; }
      return fetchJson("terms/" + key + ".json").then(function (file) {
        return keys.leaves.has(key) ? Object.keys(file.words) : file.words;
      });
    });
  }

  function evens(flat) {
    return flat.filter(function (_, i) { return i % 2 === 0; });
  }

  // A node's results in order, part after part: its head holds the first.
  function nodePart(found, i) {
    if (i >= found.head.parts) { return null; }
    return i ? fetchJson("terms/" + found.key + "-" + i + ".json") : Promise.resolve(found.head.top);
  }

  // Each scenario's score for a word: the sum of the weights of the words it starts.
  function scoresOf(found) {
    var scores = new Map();
    if (found.leaf) {
      Object.keys(found.leaf.words).forEach(function (word) {
        if (word.indexOf(found.term) !== 0) { return; }
        var postings = found.leaf.words[word];
        for (var i = 0; i < postings.length; i += 2) {
          scores.set(postings[i], (scores.get(postings[i]) || 0) + postings[i + 1]);
        }
      });
      return Promise.resolve(scores);
    }
    var parts = [];
    for (var i = 0; i < found.head.parts; i++) { parts.push(nodePart(found, i)); }
    return Promise.all(parts).then(function (loaded) {
      loaded.forEach(function (flat) {
        for (var j = 0; j < flat.length; j += 2) { scores.set(flat[j], flat[j + 1]); }
      });
      return scores;
    });
  }

  // Bit sets (search_files.bit_set): bit n of a set is bit n % 8 of its byte n >> 3.
  function bitSet(text) {
    var raw = atob(text);
    var set = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { set[i] = raw.charCodeAt(i); }
    return set;
  }

  function has(set, doc) { return (set[doc >> 3] >> (doc & 7)) & 1; }

  function combine(a, b, both) {
    var set = new Uint8Array(a.length);
    for (var i = 0; i < a.length; i++) { set[i] = both ? a[i] & b[i] : a[i] | b[i]; }
    return set;
  }

  function count(set) {
    var total = 0;
    for (var i = 0; i < set.length; i++) {
      for (var byte = set[i]; byte; byte &= byte - 1) { total++; }
    }
    return total;
  }

  function only(list, value) {
    var i = list.indexOf(value);
    return i < 0 ? [] : [i];
  }

  // The filters chosen, as the set of scenarios that pass them all, and the shortest
  // list of one value's scenarios in display order (few have one: see filters/); null
  // when none is chosen.
  function filtered() {
    function files(name, indexes) {
      return Promise.all(indexes.map(function (i) { return fetchJson("filters/" + name + "-" + i + ".json"); }));
    }
    var groups = [];  // each, the files of one filter, whose scenarios pass it
    var value = chosen("category");
    if (value) { groups.push(files("category", only(meta.categories, value))); }
    value = chosen("difficulty");
    if (value) { groups.push(files("difficulty", only(meta.difficulties, value))); }
    value = chosen("language");
    if (value) {
      groups.push(files("language", meta.languages.map(function (language, i) {
        return language === value || meta.language_primaries[i] === value ? i : -1;
      }).filter(function (i) { return i >= 0; })));
    }
    value = chosen("duration");
    if (value) {  // the longest duration within the one chosen: those at most that long
      var within = meta.durations.filter(function (minutes) { return minutes <= Number(value); });
      groups.push(files("duration", within.length ? [within.length - 1] : []));
    }
    value = chosen("cefr");
    if (value) { groups.push(files("cefr", only(meta.cefrs, value))); }
    if (author) {
      groups.push(fetchJson("authors.json").then(function (authors) {
        return files("author", only(authors || [], author));
      }));
    }
    if (!groups.length) { return Promise.resolve(null); }
    return Promise.all(groups).then(function (loaded) {
      var mask = null;
      var listed = null;
      loaded.forEach(function (group) {
        var set = new Uint8Array(Math.ceil(meta.count / 8));
        group.forEach(function (file) { set = combine(set, bitSet(file.bits), false); });
        mask = mask ? combine(mask, set, true) : set;
        var one = group.length === 1 && group[0].order;
        if (!group.length) { listed = []; }
        if (one && (!listed || one.length < listed.length)) { listed = one; }
      });
      return {mask: mask, listed: listed};
    });
  }

  // Results read part by part (`part(i)`: a promise of the i-th part's scenarios, in
  // order, or null after the last), keeping those `accept` takes: `next(k)` gives the next
  // k, fetching parts only as far as they reach.
  function stream(total, part, accept) {
    var buffer = [];
    var index = 0;
    var done = false;
    var chain = Promise.resolve();
    var self = {count: total, shown: 0, next: function (k) {
      chain = chain.then(function () { return fill(k); }).then(function () {
        var page = buffer.splice(0, k);
        self.shown += page.length;
        return page;
      });
      return chain;
    }};
    function fill(k) {
      if (buffer.length >= k || done || self.shown + buffer.length >= total) { return null; }
      var next = part(index++);
      if (!next) { done = true; return null; }
      return Promise.resolve(next).then(function (docs) {
        if (!docs) { done = true; return null; }
        docs.forEach(function (doc) { if (accept(doc)) { buffer.push(doc); } });
        return fill(k);
      });
    }
    return self;
  }

  function listOf(docs) {
    return stream(docs.length, function (i) { return i ? null : docs; }, function () { return true; });
  }

  // No words: the scenarios that pass the filters, in display order.
  function listed(filter) {
    function orderPart(i) {
      return i * meta.part < meta.count ? fetchJson("order/" + i + ".json") : null;
    }
    if (!filter) { return stream(meta.count, orderPart, function () { return true; }); }
    var accept = function (doc) { return has(filter.mask, doc); };
    var listedPart = function (i) { return i ? null : filter.listed; };
    return stream(count(filter.mask), filter.listed ? listedPart : orderPart, accept);
  }

  // The scenarios with every word (a word is found by the words it starts), that pass the
  // filters, by score (the sum of the words' weights), then by number (id order), as the
  // build ranks a node's results.
  function searched(query, filter) {
    var accept = filter ? function (doc) { return has(filter.mask, doc); } : function () { return true; };
    return Promise.all(query.map(resolve)).then(function (found) {
      if (found.some(function (each) { return !each; })) { return listOf([]); }
      if (found.length === 1 && found[0].head) {  // a common word: ranked already, in parts
        var head = found[0].head;
        var total = filter ? count(combine(bitSet(head.bits), filter.mask, true)) : head.count;
        return stream(total, function (i) {
          var part = nodePart(found[0], i);
          return part && part.then(evens);
        }, accept);
      }
      return Promise.all(found.map(scoresOf)).then(function (maps) {
        var total = new Map();
        maps[0].forEach(function (score, doc) {
          if (maps.every(function (m) { return m.has(doc); }) && accept(doc)) {
            total.set(doc, maps.reduce(function (sum, m) { return sum + m.get(doc); }, 0));
          }
        });
        var docs = Array.from(total.keys());
        docs.sort(function (a, b) { return total.get(b) - total.get(a) || a - b; });
        return listOf(docs);
      });
    });
  }

  function run() {
    var current = ++generation;
    var query = terms(input.value);
    var short = tooShort(input.value);
    var found;
    if (query.length === 0 && short.length) {
      found = Promise.resolve(listOf([]));
    } else {
      found = filtered().then(function (filter) {
        return query.length ? searched(query, filter) : listed(filter);
      });
    }
    found.then(function (docs) {
      if (current !== generation) { return; }
      results = docs;
      var hints = docs.count || !query.length ? Promise.resolve([]) : suggestions(query);
      hints.then(function (words) {
        if (current !== generation) { return; }
        var wanted = back ? Math.max(PAGE, back.shown || 0) : PAGE;
        showMore(function () {
          list.textContent = "";
          report(docs.count, query, short, words);
        }, wanted);
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

  // For each word of the query, the indexed words of its key nearest it (at most two
  // letters apart, the closest first, three at most): a typo's likely word. Each is
  // `{word, at}`, `at` the place in the query of the word it would replace.
  function suggestions(query) {
    return Promise.all(query.map(keyWords)).then(function (lists) {
      var found = [];
      query.forEach(function (term, at) {
        if (isCjk.test(term) || term.length < 4) { return; }
        // A word the index has (what starts with it is found): no typo, the filters hid it.
        if (lists[at].some(function (word) { return word.indexOf(term) === 0; })) { return; }
        var words = lists[at];
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
  function showMore(replace, count) {
    var current = generation;
    var source = results;
    var size = count || PAGE;
    // Hidden at once when this page is the last, so a second click asks for nothing.
    source.asked = (source.asked || 0) + size;
    more.hidden = source.asked >= source.count;
    source.next(size).then(function (page) {
      return Promise.all(page.map(function (doc) { return fetchJson("cards/" + doc + ".json"); }));
    }).then(function (loaded) {
      if (current !== generation) { return; }
      if (typeof replace === "function") { replace(); }
      more.hidden = source.shown >= source.count;
      var cards = loaded.map(function (entry) { return list.appendChild(card(entry)); });
      // The history entry keeps how many are shown, for coming back to this page.
      history.replaceState(Object.assign({}, history.state, { shown: source.shown }), "");
      if (back) {
        var seen = typeof back.card === "number" ? list.children[back.card] : null;
        if (seen) { window.scrollBy(0, seen.getBoundingClientRect().top - back.top); }
        back = null;
      }
      // "Show more" from the keyboard: focus goes on to the first new scenario, not back
      // to the top of the page when the button hides itself after the last ones.
      if (typeof replace !== "function" && cards.length) { cards[0].querySelector("a").focus(); }
    });
  }

  // Every value is set as text, never as HTML. `entry`: a cards/N.json, [id, title,
  // description, topic, level, language, minutes, CEFR level or null], named from meta.
  function card(entry) {
    var item = document.createElement("li");
    item.className = "card";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = base + "/scenarios/" + entry[0] + "/";
    link.textContent = entry[1];
    heading.appendChild(link);
    var line = document.createElement("p");
    line.className = "meta";
    function named(values, names, value) { return names[values.indexOf(value)]; }
    var level = named(meta.difficulties, meta.difficulty_names, entry[4]) +
      (entry[7] ? " (" + entry[7] + ")" : "");
    line.textContent = [named(meta.languages, meta.language_names, entry[5]), level,
      named(meta.categories, meta.category_names, entry[3]), entry[6] + " min"].join(" · ");
    var text = document.createElement("p");
    text.textContent = entry[2];
    item.append(heading, line, text);
    var query = terms(input.value);
    if (query.length) { showMatched(item, entry[0], entry[5], query); }
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

  // Coming back to this page (Back from a result): the list as long as it was, and the
  // first card on the screen where it was, from its history entry (`shown`, kept by
  // `showMore`; `card` and `top`, as the page scrolls). By a card, not by the scroll's
  // offset: each card's matched entries arrive later and change the heights above it.
  var back = history.state && typeof history.state.shown === "number" ? history.state : null;
  if (back) { history.scrollRestoration = "manual"; }
  var scrolled = null;  // kept once the page rests: a history entry left is not written to
  window.addEventListener("scroll", function () {
    clearTimeout(scrolled);
    scrolled = setTimeout(function () {
      var cards = Array.prototype.slice.call(list.children);
      var first = cards.findIndex(function (item) { return item.getBoundingClientRect().bottom > 0; });
      if (first < 0) { return; }
      var top = cards[first].getBoundingClientRect().top;
      history.replaceState(Object.assign({}, history.state, { card: first, top: top }), "");
    }, 150);
  }, { passive: true });

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
    restore();
    run();
  });
})();
