"use strict";
// The "Print" button of the printable schedule by table (an inline handler would be
// blocked by the Content-Security-Policy).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
