// Stakeholder workspace behaviour (loaded as a file: CSP allows no inline scripts).
(function () {
  "use strict";

  // Duplicate merge forms: the contact chosen to keep is never also ticked for merging.
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches || !radio.matches('input[type="radio"][name="survivor"]')) { return; }
    var form = radio.form;
    form.querySelectorAll('input[type="checkbox"][name="duplicates"]').forEach(function (box) {
      if (box.value === radio.value) { box.checked = false; box.disabled = true; }
      else { box.disabled = false; }
    });
  });

  function syncSurvivors(root) {
    root.querySelectorAll('input[type="radio"][name="survivor"]:checked').forEach(function (radio) {
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // Contact form: the unit follows the organisation, so grey it out while one is chosen.
  function syncUnit(select) {
    var form = select.form;
    if (!form) { return; }
    var unit = form.querySelector('select[name="unit"]');
    if (unit) { unit.disabled = !!select.value; }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-organisation-select]")) {
      syncUnit(event.target);
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("select[data-organisation-select]")) {
      syncUnit(target);
    }
  });
  // A disabled field is not submitted; re-enable it just before sending.
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll('select[name="unit"][disabled]').forEach(function (unit) {
      unit.disabled = false;
    });
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-organisation-select]").forEach(syncUnit);
    syncSurvivors(document);
  });
})();
