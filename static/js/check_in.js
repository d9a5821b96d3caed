// Check-in page: filter the list as staff type (the search button still works without JavaScript),
// and keep the scan field focused so that a barcode scanner can fire code after code.
(function () {
  "use strict";
  var input = document.querySelector("[data-filter-list]");
  var list = input && document.getElementById(input.getAttribute("data-filter-list"));
  var none = document.getElementById("no-filter-match");
  if (input && list) {
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll("li[data-search]").forEach(function (item) {
        var text = item.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown !== 0; }
    });
  }
  var scan = document.getElementById("id_token");
  if (scan && !document.querySelector(".messages .error")) { scan.focus(); }
})();
