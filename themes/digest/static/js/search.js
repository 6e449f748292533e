/* Starts Pagefind's search interface on the search page (newsdigest.search).
   The header's search form sends ?q=..., which is searched at once. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof window.PagefindUI !== "function") {
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: root.getAttribute("data-bundle"),
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    autofocus: !new URLSearchParams(window.location.search).get("q"),
    translations: { placeholder: "Search stories" }
  });
  // Pagefind names its field only by a title: give it the visible label.
  var input = root.querySelector("input");
  if (input) {
    var label = document.createElement("label");
    label.className = "search-label";
    label.htmlFor = input.id = "search-input";
    label.textContent = "Words to search for";
    root.parentNode.insertBefore(label, root);
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
