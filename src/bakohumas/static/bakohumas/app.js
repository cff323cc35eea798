// Bakohumas workspace behaviour. Loaded as a file (CSP: no inline scripts).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
document.addEventListener("submit", function (event) {
  // Guard against double submission: disable the buttons of a form once it is sent.
  var form = event.target;
  if (form.dataset.allowResubmit !== undefined) { return; }
  window.setTimeout(function () {
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) { event.preventDefault(); }
});
