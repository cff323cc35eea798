// Spreadsheet import pages. Loaded as a file (CSP: no inline scripts).
(function () {
  "use strict";
  // Refuse an oversized file before it is uploaded; the server checks again.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-size]")) { return; }
    var form = input.closest("form");
    var box = form ? form.querySelector("[data-import-size-error]") : null;
    var limit = parseInt(input.dataset.maxSize, 10);
    var file = input.files && input.files[0];
    var tooLarge = !!(file && limit && file.size > limit);
    input.classList.toggle("is-invalid", tooLarge);
    input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
    if (box) {
      box.textContent = tooLarge ? input.dataset.tooLarge : "";
      box.classList.toggle("d-none", !tooLarge);
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-import-upload]")) { return; }
    var input = form.querySelector("input[type=file][data-max-size]");
    if (input && input.validationMessage) {
      event.preventDefault();
      event.stopImmediatePropagation();
      input.focus();
    }
  }, true);
})();
(function () {
  "use strict";
  // Progress bars: the width comes from data-progress (CSP forbids inline styles).
  function paint(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseInt(bar.dataset.progress, 10) || 0));
      bar.style.width = value + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:load", function (event) { paint(event.target); });
  paint(document);
})();
