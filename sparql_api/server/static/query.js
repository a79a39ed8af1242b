/* The SRKG query page: editor wiring, example queries, running a query, the result table, downloads. */
(function () {
  "use strict";

  var ENDPOINT = "/sparql";
  var textarea = document.getElementById("query");
  var code = document.getElementById("highlight");
  var pre = code.parentNode;
  var runButton = document.getElementById("run");
  var statusEl = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var examplesEl = document.getElementById("examples");
  var examples = [];

  function refresh() {
    code.innerHTML = window.SparqlHighlight.highlight(textarea.value);
    syncScroll();
  }
  function syncScroll() {
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  }

  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", syncScroll);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      textarea.value = textarea.value.slice(0, start) + "  " + textarea.value.slice(end);
      textarea.selectionStart = textarea.selectionEnd = start + 2;
      refresh();
    }
  });

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "error" : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function shortDatatype(iri) {
    var xsd = "http://www.w3.org/2001/XMLSchema#";
    return iri.indexOf(xsd) === 0 ? "xsd:" + iri.slice(xsd.length) : "<" + iri + ">";
  }

  function termCell(term) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = el("a", null, term.value);
      a.href = term.value;
      a.rel = "noopener";
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.appendChild(el("span", "bnode", "_:" + term.value));
    } else if (term.type === "triple") {
      td.textContent = "<< " + JSON.stringify(term.value) + " >>";
    } else {
      td.appendChild(document.createTextNode(term.value));
      if (term["xml:lang"]) { td.appendChild(el("span", "lang", "@" + term["xml:lang"])); }
      else if (term.datatype) { td.appendChild(el("span", "dt", "^^" + shortDatatype(term.datatype))); }
    }
    return td;
  }

  function renderSolutions(doc) {
    if (typeof doc.boolean === "boolean") {
      results.appendChild(el("p", "boolean", doc.boolean ? "true" : "false"));
      return "ASK answered";
    }
    var vars = doc.head.vars, rows = doc.results.bindings;
    var table = el("table"), head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", null, "?" + v)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(termCell(row[v])); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    return rows.length + (rows.length === 1 ? " row" : " rows");
  }

  function downloadLinks(query, formats) {
    downloads.textContent = "";
    downloads.appendChild(document.createTextNode("Download: "));
    formats.forEach(function (f) {
      var a = el("a", null, f.toUpperCase());
      a.href = ENDPOINT + "?query=" + encodeURIComponent(query) + "&format=" + f;
      a.setAttribute("download", "srkg-results." + f);
      downloads.appendChild(a);
    });
  }

  function run() {
    var query = textarea.value;
    runButton.disabled = true;
    results.textContent = "";
    downloads.textContent = "";
    setStatus("Running…", false);
    var started = performance.now();
    fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0];
      return response.text().then(function (body) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2) + " s";
        if (!response.ok) {
          results.appendChild(el("div", "message error", body));
          setStatus("Error " + response.status + " after " + seconds, true);
          return;
        }
        if (type === "application/sparql-results+json") {
          var summary = renderSolutions(JSON.parse(body));
          setStatus(summary + " in " + seconds, false);
          downloadLinks(query, ["csv", "json", "tsv"]);
        } else {
          results.appendChild(el("pre", null, body));
          setStatus("Graph answer in " + seconds, false);
          downloadLinks(query, ["ttl", "nt", "jsonld"]);
        }
      });
    }).catch(function (error) {
      results.appendChild(el("div", "message error", String(error)));
      setStatus("The request failed", true);
    }).then(function () { runButton.disabled = false; });
  }

  function loadExamples() {
    fetch("/query/examples.json").then(function (r) { return r.json(); }).then(function (list) {
      examples = list;
      list.forEach(function (example, index) {
        var option = el("option", null, example.title);
        option.value = String(index);
        examplesEl.appendChild(option);
      });
    }).catch(function () { setStatus("Example queries could not be loaded", true); });
  }

  examplesEl.addEventListener("change", function () {
    var example = examples[Number(examplesEl.value)];
    if (example) {
      textarea.value = example.query;
      textarea.scrollTop = 0;
      refresh();
      textarea.focus();
    }
  });

  runButton.addEventListener("click", run);
  document.getElementById("endpoint").textContent = new URL(ENDPOINT, window.location.href).href;
  refresh();
  loadExamples();
})();
