/* The draft screening page: jump-list markers, and a warning before leaving with unsaved answers.
   A static file (no inline script: the Content-Security-Policy allows only our own files). The page
   works without it; autosave itself is htmx (hx-post on the form). */
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form) { return; }
  var nei = form.getAttribute("data-nei-codes");
  var neiCodes = nei ? nei.split(" ") : [];
  var dirty = false;
  var edits = 0;  // counts changes, so a save answered after a newer change does not clear the warning

  function markerFor(value) {
    if (value === "") { return "not_rated"; }
    return neiCodes.indexOf(value) >= 0 ? "nei" : "done";
  }

  function updateMarker(input) {
    var link = document.querySelector('[data-marker-for="' + input.name + '"]');
    if (!link) { return; }
    var marker = markerFor(input.value);
    link.className = "jump jump--" + marker;
    var text = link.querySelector(".jump__marker");
    if (text) { text.textContent = text.getAttribute("data-" + marker); }
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    dirty = true;
    edits += 1;
    if (target && target.type === "radio" && target.checked) { updateMarker(target); }
  });
  form.addEventListener("input", function () { dirty = true; edits += 1; });
  // A real submit (Save draft, Save and finalize) keeps the answers: no warning for it.
  form.addEventListener("submit", function () { dirty = false; });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail && event.detail.xhr) { event.detail.xhr.sightlineEdits = edits; }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.getResponseHeader("X-Sightline-Saved") === "1" && xhr.sightlineEdits === edits) {
      dirty = false;
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = form.getAttribute("data-leave-warning") || "";
    return event.returnValue;
  });
}());
