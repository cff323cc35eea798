// Media library pages. Loaded as a file (CSP: no inline scripts).
(function () {
  "use strict";

  // The kind the browser guesses from the file (the server decides from the content).
  function guessKind(file) {
    var type = (file.type || "").toLowerCase();
    var name = (file.name || "").toLowerCase();
    if (type.indexOf("image/") === 0) { return "image"; }
    if (type.indexOf("video/") === 0) { return "video"; }
    if (type.indexOf("audio/") === 0) { return "audio"; }
    if (type === "application/pdf" || /\.pdf$/.test(name)) { return "pdf"; }
    if (/presentation/.test(type) || /\.(pptx|odp)$/.test(name)) { return "slides"; }
    return null;
  }

  function parse(value) {
    try { return JSON.parse(value || "{}"); } catch (e) { return {}; }
  }

  // Refuse an oversized file before it is uploaded; the server checks again.
  function check(input) {
    var limits = parse(input.dataset.mediaLimits);
    var messages = parse(input.dataset.mediaTooLarge);
    var maxTotal = parseInt(input.dataset.mediaMaxTotal, 10) || 0;
    var problems = [];
    var total = 0;
    Array.prototype.forEach.call(input.files || [], function (file) {
      total += file.size;
      var kind = guessKind(file);
      var limit = kind ? limits[kind] : null;
      if (limit && file.size > limit) { problems.push(file.name + ": " + messages[kind]); }
    });
    if (maxTotal && total > maxTotal) { problems.push(messages.total); }
    var form = input.closest("form");
    var box = form ? form.querySelector("[data-media-size-error]") : null;
    input.classList.toggle("is-invalid", problems.length > 0);
    input.setCustomValidity(problems.length ? problems.join(" ") : "");
    if (box) {
      box.textContent = problems.join(" ");
      box.classList.toggle("d-none", problems.length === 0);
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-media-limits]")) { check(input); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-media-upload]")) { return; }
    var input = form.querySelector("input[type=file][data-media-limits]");
    if (input && input.validationMessage) {
      event.preventDefault();
      event.stopImmediatePropagation();
      input.focus();
    }
  }, true);

  // Picker: a click on an asset button fires "media:pick" (bubbling) with its data.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-media-pick]") : null;
    if (!button) { return; }
    var data = button.dataset;
    button.dispatchEvent(new CustomEvent("media:pick", {
      bubbles: true,
      detail: {
        id: parseInt(data.assetId, 10),
        kind: data.assetKind,
        title: data.assetTitle,
        thumb: data.assetThumb,
        alt: data.assetAlt,
        needsAlt: data.assetNeedsAlt === "1"
      }
    }));
  });
})();
