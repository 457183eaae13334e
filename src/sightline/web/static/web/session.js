// Idle warning: two minutes before the server ends an idle session (SIGHTLINE_SESSION_IDLE_SECONDS),
// offer to stay signed in; at the limit, go to the sign-in page. A file, not an inline script, so the
// Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="sightline-session-idle"]');
  var box = document.getElementById("session-warning");
  var stay = document.getElementById("session-stay");
  if (!meta || !box || !stay) {
    return;
  }
  var idle = parseInt(meta.content, 10) * 1000;
  var warnBefore = Math.min(120000, idle / 2);
  var warnTimer = null;
  var endTimer = null;

  function signIn() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(meta.dataset.login + "?next=" + encodeURIComponent(next));
  }

  function arm() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = window.setTimeout(function () {
      box.hidden = false;
      stay.focus();
    }, idle - warnBefore);
    endTimer = window.setTimeout(signIn, idle);
  }

  stay.addEventListener("click", function () {
    window.fetch(meta.dataset.keepalive, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 204) {
        arm();
      } else {
        signIn();
      }
    }, signIn);
  });
  document.body.addEventListener("htmx:afterRequest", arm);
  arm();
})();
