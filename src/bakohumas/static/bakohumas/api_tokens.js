// API token page: copy the freshly created token to the clipboard. Loaded as a file (CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) { return; }
  var input = document.getElementById(button.dataset.copyTarget);
  if (!input) { return; }
  input.select();
  var done = function () {
    button.textContent = button.dataset.copiedText || "OK";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      document.execCommand("copy"); done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
