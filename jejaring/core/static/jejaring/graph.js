// The collaboration network graph, drawn with the locally served Cytoscape.js on request.
(function () {
  "use strict";
  var SECTOR_COLOURS = {
    government: "#2c7be5", private: "#e67e22", civil_society: "#27ae60",
    academia: "#8e44ad", media: "#c0392b"
  };
  var LEVEL_COLOURS = { coordination: "#9db4d6", integration: "#3fa66a", closeness: "#e08e1b" };

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function draw(container, data) {
    var detail = document.getElementById("graph-detail");
    var maxWeight = Math.max.apply(null, [1].concat(data.edges.map(function (e) { return e.weight; })));
    var maxActivity = Math.max.apply(null, [1].concat(data.nodes.map(function (n) { return n.activity; })));
    var elements = data.nodes.map(function (n) {
      return { data: { id: "o" + n.id, label: n.label, sector: n.sector, activity: n.activity } };
    }).concat(data.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: "o" + e.source, target: "o" + e.target,
        weight: e.weight, level: e.level, levelLabel: e.level_label, reasons: e.reasons } };
    }));
    if (!data.nodes.length) {
      container.textContent = container.dataset.empty || "—";
      return;
    }
    // Cytoscape adds a <style> element unless one with this id exists; the
    // Content-Security-Policy refuses it, and jejaring.css carries its one rule.
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      var marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.appendChild(marker);
    }
    var cy = cytoscape({
      container: container,
      elements: elements,
      layout: { name: "cose", animate: false, nodeRepulsion: 400000, idealEdgeLength: 140,
        padding: 30 },
      // Keep labels readable: never zoom in past life size, even on a small network.
      maxZoom: 1.2, minZoom: 0.2,
      style: [
        { selector: "node", style: {
          label: "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 120,
          "text-valign": "bottom", "text-margin-y": 4, "min-zoomed-font-size": 6,
          "background-color": function (n) { return SECTOR_COLOURS[n.data("sector")] || "#777"; },
          width: function (n) { return 14 + 26 * n.data("activity") / maxActivity; },
          height: function (n) { return 14 + 26 * n.data("activity") / maxActivity; }
        } },
        { selector: "edge", style: {
          width: function (e) { return 1 + 7 * e.data("weight") / maxWeight; },
          "line-color": function (e) { return LEVEL_COLOURS[e.data("level")] || "#bbb"; },
          "curve-style": "haystack", opacity: 0.8
        } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#222" } }
      ]
    });
    cy.on("tap", "node", function (evt) {
      var node = evt.target;
      var rows = node.connectedEdges().map(function (e) {
        var other = e.source().id() === node.id() ? e.target() : e.source();
        return "<li><strong>" + escapeText(other.data("label")) + "</strong> — " +
          escapeText(e.data("levelLabel")) + " (" + e.data("weight") + "): " +
          escapeText(e.data("reasons").join(", ")) + "</li>";
      });
      detail.innerHTML = "<h2>" + escapeText(node.data("label")) + "</h2><ul class=\"plain\">" + rows.join("") + "</ul>";
    });
    cy.on("tap", "edge", function (evt) {
      var e = evt.target;
      detail.innerHTML = "<h2>" + escapeText(e.source().data("label")) + " — " +
        escapeText(e.target().data("label")) + "</h2><p>" + escapeText(e.data("levelLabel")) +
        " · " + escapeText(e.data("reasons").join(", ")) + "</p>";
    });
    container.dataset.nodes = String(data.nodes.length);
    container.dataset.edges = String(data.edges.length);
    window.jejaringGraph = cy;
  }

  // Cytoscape (about 430 KB) is not part of the page: the table above is. The library
  // loads only when the person presses "Show the graph", after the page's content.
  function loadLibrary(src, done, failed) {
    if (typeof cytoscape !== "undefined") { done(); return; }
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    script.onerror = failed;
    document.head.appendChild(script);
  }

  function show(button) {
    var container = document.getElementById("network-graph");
    var view = document.getElementById("graph-view");
    var status = document.getElementById("graph-status");
    if (!container || !view) { return; }
    function failed() {
      status.textContent = button.dataset.failed || "";
      button.disabled = false;
    }
    button.disabled = true;
    status.textContent = button.dataset.loading || "";
    loadLibrary(button.dataset.library, function () {
      fetch(container.dataset.src, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          // Drawn once visible: the layout needs the container's size.
          view.hidden = false;
          button.hidden = true;
          status.textContent = "";
          draw(container, data);
          // The button is gone: keyboard focus goes to what it showed.
          view.setAttribute("tabindex", "-1");
          view.focus();
        })
        .catch(failed);
    }, failed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("show-graph");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { show(button); });
  });
})();
