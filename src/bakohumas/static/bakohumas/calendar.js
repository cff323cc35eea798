// The content calendar: drag an item to another day to move it (templates/content/calendar).
// The server keeps the item's local time of day; when the new day is in a quiet period it
// answers 409 with a small form asking for the reason, shown in a <dialog> and re-posted
// by htmx. Keyboard users use each item's "move" link (the no-JavaScript page).
(function () {
  "use strict";
  var table = document.querySelector("[data-calendar]");
  if (!table) { return; }
  var dialog = document.getElementById("calendar-dialog");
  var dialogBody = dialog ? dialog.querySelector("[data-dialog-body]") : null;
  var statusBox = document.getElementById("calendar-status");
  var dragged = null;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function showStatus(message, kind) {
    if (!statusBox) { return; }
    statusBox.textContent = "";
    var div = document.createElement("div");
    div.className = "alert alert-" + (kind || "danger") + " py-2";
    div.textContent = message;
    statusBox.appendChild(div);
  }

  function openDialog(html) {
    if (!dialog || !dialogBody) { return; }
    dialogBody.innerHTML = html;  // server-rendered, escaped by Django
    if (window.htmx) { window.htmx.process(dialogBody); }
    if (!dialog.open) { dialog.showModal(); }
    var focus = dialogBody.querySelector("textarea, input:not([type=hidden]), button");
    if (focus) { focus.focus(); }
  }

  function clearHighlight() {
    table.querySelectorAll(".calendar-drop-over").forEach(function (el) {
      el.classList.remove("calendar-drop-over");
    });
  }

  function move(item, date) {
    var body = new URLSearchParams();
    body.append("date", date);
    body.append("next", window.location.pathname + window.location.search);
    showStatus(table.dataset.msgMoving, "info");
    fetch(item.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
        "HX-Current-URL": window.location.href
      }
    }).then(function (response) {
      return response.text().then(function (text) { return { status: response.status, text: text }; });
    }).then(function (result) {
      if (result.status === 200) { window.location.reload(); return; }
      if (statusBox) { statusBox.textContent = ""; }
      if (result.status === 409 || result.status === 400) { openDialog(result.text); return; }
      if (result.status === 403) { showStatus(table.dataset.msgForbidden); return; }
      if (result.status === 404) { showStatus(table.dataset.msgNotFound); return; }
      showStatus(table.dataset.msgFailed);
    }).catch(function () { showStatus(table.dataset.msgFailed); });
  }

  table.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest("[data-move-url]") : null;
    if (!item) { return; }
    dragged = item;
    item.classList.add("calendar-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.itemId);
  });

  table.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("calendar-dragging"); }
    dragged = null;
    clearHighlight();
  });

  table.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var cell = event.target.closest ? event.target.closest("[data-drop-date]") : null;
    if (!cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("calendar-drop-over")) {
      clearHighlight();
      cell.classList.add("calendar-drop-over");
    }
  });

  table.addEventListener("dragleave", function (event) {
    var cell = event.target.closest ? event.target.closest("[data-drop-date]") : null;
    if (cell && !cell.contains(event.relatedTarget)) { cell.classList.remove("calendar-drop-over"); }
  });

  table.addEventListener("drop", function (event) {
    var cell = event.target.closest ? event.target.closest("[data-drop-date]") : null;
    if (!cell || !dragged) { return; }
    event.preventDefault();
    var item = dragged;
    clearHighlight();
    if (cell.dataset.dropDate === item.dataset.date) { return; }
    var list = cell.querySelector(".calendar-items");
    (list || cell).appendChild(item);  // show it there at once; the reload confirms
    move(item, cell.dataset.dropDate);
  });

  if (dialog) {
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-calendar-dialog-close]")) {
        dialog.close();
        window.location.reload();  // show the item back where it is
      }
    });
    dialog.addEventListener("cancel", function () { window.location.reload(); });
  }

  // The reason form is re-posted by htmx: show its 400/409 answers in the dialog too.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (!dialog || !elt || !dialog.contains(elt)) { return; }
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}());
