/* SPARQL 1.1 syntax highlighting for the query page: a small tokenizer that turns query text into
   HTML spans (keywords, variables, IRIs, prefixed names, strings, numbers, comments, functions).
   Written for this project; no third-party code. Exposes window.SparqlHighlight.highlight(text). */
(function () {
  "use strict";

  var KEYWORDS = (
    "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY ASC DESC " +
    "LIMIT OFFSET VALUES OPTIONAL GRAPH UNION MINUS FILTER BIND SERVICE SILENT GROUP HAVING UNDEF NOT IN " +
    "EXISTS INSERT DELETE DATA WITH USING LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO DEFAULT ALL LATERAL"
  ).split(" ");
  var FUNCTIONS = (
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE " +
    "ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS " +
    "TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI " +
    "ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR"
  ).split(" ");
  var kwSet = {}, fnSet = {};
  KEYWORDS.forEach(function (k) { kwSet[k] = true; });
  FUNCTIONS.forEach(function (f) { fnSet[f] = true; });

  // Order matters: the first rule that matches at the current position wins.
  var RULES = [
    ["comment", /#[^\n]*/y],
    ["str", /'''[\s\S]*?(?:'''|$)|"""[\s\S]*?(?:"""|$)|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?/y],
    ["iri", /<[^<>"{}|^`\\\s]*>/y],
    ["var", /[?$][A-Za-z0-9_\u00B7-\uFFFF]+/y],
    ["lang", /@[A-Za-z]+(?:-[A-Za-z0-9]+)*/y],
    ["num", /[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y],
    ["pname", /(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7-\uFFFF.-]*)?:(?:[\w\u00B7-\uFFFF%:\\-]|\.(?=[\w:]))*/y],
    ["word", /[A-Za-z_][A-Za-z0-9_]*/y],
    ["space", /\s+/y],
    ["other", /[\s\S]/y]
  ];

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function tokenize(text) {
    var tokens = [], pos = 0;
    while (pos < text.length) {
      for (var i = 0; i < RULES.length; i++) {
        var rule = RULES[i], re = rule[1];
        re.lastIndex = pos;
        var m = re.exec(text);
        if (m && m[0].length > 0) {
          var kind = rule[0];
          if (kind === "word") {
            var upper = m[0].toUpperCase();
            kind = kwSet[upper] ? "kw" : fnSet[upper] ? "fn" : (m[0] === "a" ? "kw" : "plain");
            if (upper === "TRUE" || upper === "FALSE") { kind = "num"; }
          }
          tokens.push([kind, m[0]]);
          pos += m[0].length;
          break;
        }
      }
    }
    return tokens;
  }

  function highlight(text) {
    var html = tokenize(text).map(function (t) {
      var kind = t[0], value = escapeHtml(t[1]);
      if (kind === "space" || kind === "other" || kind === "plain") { return value; }
      return '<span class="tok-' + kind + '">' + value + "</span>";
    }).join("");
    // A trailing newline needs a character after it, or the <pre> is one line shorter than the textarea.
    return html + "\n";
  }

  window.SparqlHighlight = { highlight: highlight, tokenize: tokenize };
})();
