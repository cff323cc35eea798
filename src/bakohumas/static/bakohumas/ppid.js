// PPID request page: show only the decision fields the chosen decision needs.
// Without JavaScript every field stays visible; the server checks them all anyway.
(function () {
  function update(form) {
    var select = form.querySelector("[data-decision-select]");
    if (!select) { return; }
    var chosen = select.value;
    form.querySelectorAll("[data-show-for]").forEach(function (input) {
      var wrapper = input.closest(".mb-3") || input;
      var wanted = input.dataset.showFor.split(" ");
      wrapper.hidden = chosen !== "" && wanted.indexOf(chosen) === -1;
    });
  }
  document.querySelectorAll("form[data-decision-form]").forEach(function (form) {
    update(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-decision-select]")) { update(form); }
    });
  });
})();
