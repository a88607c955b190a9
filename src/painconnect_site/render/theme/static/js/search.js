/* Starts Pagefind's default search UI on the search page (loaded with defer, after
   pagefind-ui.js). Paths come from data attributes so a base_url with a path works.
   A ?q= query in the address runs that search at once, so searches can be linked. */
(function () {
  "use strict";
  var LABEL = "Search articles";
  var container = document.getElementById("search");
  if (!container || typeof window.PagefindUI !== "function") {
    return;
  }

  // Pagefind's input has only a placeholder and title; screen readers and people
  // with memory or attention difficulties need a real, always-visible label.
  function labelSearchInput() {
    var input = container.querySelector("input[type=text]");
    if (!input || input.id) {
      return Boolean(input);
    }
    input.id = "search-input";
    var label = document.createElement("label");
    label.className = "search-label";
    label.htmlFor = input.id;
    label.textContent = LABEL;
    container.insertBefore(label, container.firstChild);
    return true;
  }

  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: container.getAttribute("data-bundle-path"),
    baseUrl: container.getAttribute("data-base-url"),
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: LABEL }
  });
  if (!labelSearchInput()) {
    var observer = new MutationObserver(function () {
      if (labelSearchInput()) {
        observer.disconnect();
      }
    });
    observer.observe(container, { childList: true, subtree: true });
  }

  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
