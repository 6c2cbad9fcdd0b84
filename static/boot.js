// Keeps the sign-in form usable while Python starts (several seconds): a submit
// before then is held, shown as "starting…", and acted on by main.py once ready.
// Python sets window.chatBoot.ready and takes over the form's submit events.
"use strict";
(function () {
  const boot = (window.chatBoot = { ready: false, pending: false });
  const form = document.getElementById("sign-in-form");
  form.addEventListener("submit", function (event) {
    if (boot.ready) return;
    event.preventDefault();
    boot.pending = true;
    document.getElementById("sign-in-button").setAttribute("aria-busy", "true");
    document.getElementById("sign-in-status").textContent =
      "Starting… you will be signed in as soon as the app is ready.";
  });
})();
