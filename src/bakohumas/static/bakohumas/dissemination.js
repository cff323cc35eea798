// Dissemination pages. Loaded as a file (CSP: no inline scripts or styles).
(function () {
  "use strict";

  // Progress bars: the width comes from data-progress (CSP forbids inline styles).
  function paint(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseInt(bar.dataset.progress, 10) || 0));
      bar.style.width = value + "%";
    });
  }

  // Channel-dependent fields: a widget with data-kinds="a,b" is shown only while the
  // form's channel (the select with data-kind-switch) is one of them.
  function toggleKinds(form) {
    var select = form.querySelector("[data-kind-switch]");
    if (!select) { return; }
    var kind = select.value;
    form.querySelectorAll("[data-kinds]").forEach(function (widget) {
      var kinds = widget.dataset.kinds.split(",");
      var wrapper = widget.closest(".mb-3") || widget.parentElement;
      var show = kinds.indexOf(kind) !== -1;
      if (wrapper) { wrapper.hidden = !show; }
    });
  }

  function setup(root) {
    paint(root);
    (root || document).querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-kind-switch]")) { toggleKinds(form); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paint(event.target); });
  document.addEventListener("htmx:load", function (event) { paint(event.target); });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-kind-switch]") && target.form) {
      toggleKinds(target.form);
    }
    // "Select all" of the deliveries table.
    if (target.matches && target.matches("[data-select-all]")) {
      var table = target.closest("table");
      if (table) {
        table.querySelectorAll("input[type=checkbox][name=ids]").forEach(function (box) {
          box.checked = target.checked;
        });
      }
    }
    // Refuse an oversized evidence file before it is uploaded; the server checks again.
    if (target.matches && target.matches("input[type=file][data-max-size]")) {
      var limit = parseInt(target.dataset.maxSize, 10);
      var file = target.files && target.files[0];
      var tooLarge = !!(file && limit && file.size > limit);
      target.classList.toggle("is-invalid", tooLarge);
      target.setCustomValidity(tooLarge ? (target.dataset.tooLarge || "Too large") : "");
    }
  });

  // Copy buttons: data-copy="<id of the element whose text is copied>".
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) { return; }
    event.preventDefault();
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      var label = button.querySelector("[data-copy-label]");
      if (!label) { return; }
      var original = label.textContent;
      label.textContent = button.dataset.copied || "Copied";
      window.setTimeout(function () { label.textContent = original; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {
        if (source.select) { source.select(); }
      });
    } else if (source.select) {
      source.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
    }
  });
})();
