// Staff inbox: the canned-reply picker fills the reply box with the reply rendered for the
// thread (htmx GET .../canned/<id>/render/ returns the filled <textarea>). A file, not an
// inline script (CSP).
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-canned-url]");
  if (!select || !select.value || !window.htmx) { return; }
  var url = select.dataset.cannedUrl.replace(/\/0\/render\/$/, "/" + encodeURIComponent(select.value) + "/render/");
  window.htmx.ajax("GET", url, { target: select.dataset.cannedTarget, swap: "outerHTML" });
});
