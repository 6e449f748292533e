/* Starts Pagefind's search interface on the search page (newsdigest.search).
   Its stylesheet is loaded here, not in <head>, so it does not hold up the
   first paint; the interface is drawn once the stylesheet is in, into room
   the page reserves, so nothing jumps. The header's search form sends ?q=...,
   which is searched at once. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof window.PagefindUI !== "function") {
    return;
  }
  var bundle = root.getAttribute("data-bundle");
  var query = new URLSearchParams(window.location.search).get("q");

  function start() {
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      autofocus: !query,
      translations: { placeholder: "Search stories" }
    });
    // Pagefind names its field only by a title: give it the visible label.
    var input = root.querySelector("input");
    if (input) {
      input.setAttribute("aria-labelledby", "search-label");
    }
    if (query) {
      ui.triggerSearch(query);
    }
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  css.addEventListener("load", start);
  css.addEventListener("error", start);
  document.head.appendChild(css);
})();
