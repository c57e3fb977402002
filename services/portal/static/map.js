// The portal's map (progressive enhancement: the page's list carries the same data without it).
// Initiatives are keyboard-focusable markers whose shape (symbol) and colour tell their status;
// the GIS layers come from the portal's own /gis/ URLs. No tiles: the commune's shapes are the map.
(function () {
  "use strict";
  var element = document.getElementById("mapa");
  if (!element || !window.L) { return; }
  var SYMBOLS = {on_track: "●", at_risk: "▲", late: "◆", overdue: "✖", done: "✔", not_started: "○", no_data: "?"};
  var map = L.map(element, {keyboard: true, zoomSnap: 0.5}).setView([-18.35, -69.4], 9);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("PLADECO · CC BY 4.0");
  var layers = {};

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function popup(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/iniciativas/" + encodeURIComponent(properties.initiative_code);
    link.textContent = text(properties.name);
    var status = document.createElement("p");
    status.textContent = "Estado: " + text(properties.status_label) + " · avance " +
      (properties.physical_progress_pct === null ? "—" : String(properties.physical_progress_pct).replace(".", ",") + " %");
    box.appendChild(link);
    box.appendChild(status);
    return box;
  }

  function fetchJson(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (answer) {
      if (!answer.ok) { throw new Error(url + ": " + answer.status); }
      return answer.json();
    });
  }

  function styleFor(name) {
    if (name === "territorios" || name === "imagen-objetivo") {
      return {color: "#0b2e4f", weight: 2, fillColor: "#9fb8d0", fillOpacity: 0.25};
    }
    return {color: "#333", weight: 1};
  }

  function showLayer(name, on) {
    if (!on) { if (layers[name]) { map.removeLayer(layers[name]); } return; }
    if (layers[name]) { layers[name].addTo(map); return; }
    fetchJson("/gis/" + encodeURIComponent(name) + ".geojson").then(function (data) {
      layers[name] = L.geoJSON(data, {
        style: function () { return styleFor(name); },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {radius: 4, color: "#333", weight: 1, fillColor: "#fff", fillOpacity: 1,
                                         interactive: false});
        },
        interactive: false
      }).addTo(map);
      if (points) { points.bringToFront && points.bringToFront(); }
    }).catch(function () { /* the layer stays off; the list and the GeoJSON links remain */ });
  }

  var points = null;
  fetchJson(element.getAttribute("data-points")).then(function (data) {
    points = L.geoJSON(data, {
      filter: function (feature) { return feature.geometry !== null; },
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        var symbol = document.createElement("span");
        symbol.textContent = SYMBOLS[p.status] || "?";
        symbol.setAttribute("aria-hidden", "true");
        var icon = L.divIcon({className: "marker status-" + text(p.status).replace(/[^a-z_]/g, ""),
                              html: symbol, iconSize: [22, 22]});
        var marker = L.marker(latlng, {icon: icon, keyboard: true,
                                       title: text(p.name) + " (" + text(p.status_label) + ")",
                                       alt: text(p.name) + ", " + text(p.status_label)});
        marker.bindPopup(popup(p));
        return marker;
      }
    }).addTo(map);
    points.eachLayer(function (marker) {
      var node = marker.getElement();
      if (node) {
        node.setAttribute("role", "button");
        node.setAttribute("aria-label", marker.options.alt);
      }
    });
    if (points.getLayers().length) { map.fitBounds(points.getBounds(), {padding: [20, 20]}); }
  }).catch(function () { /* the list below stays the way in */ });

  var boxes = document.querySelectorAll("#capas input[name=capa]");
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("change", function () { showLayer(box.value, box.checked); });
    if (box.checked) { showLayer(box.value, true); }
  });
}());
