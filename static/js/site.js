// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Forms with data-toggle-fields show a fieldset only for one radio value.
  document.querySelectorAll("[data-show-when]").forEach(function (block) {
    var spec = block.getAttribute("data-show-when").split("=");
    var radios = document.querySelectorAll('input[name="' + spec[0] + '"]');
    function update() {
      var checked = document.querySelector('input[name="' + spec[0] + '"]:checked');
      block.hidden = !(checked && checked.value === spec[1]);
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  });
  // Catalog filters fold behind their button on narrow screens (results first).
  if (window.matchMedia && window.matchMedia("(max-width: 899px)").matches) {
    document.querySelectorAll("details[data-fold-narrow]").forEach(function (d) { d.open = false; });
  }
  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
