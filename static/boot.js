// Keeps the sign-in form usable while Python starts (a second or two): a submit
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

// PyScript reads its configuration from <script type="py" config=…> once, when its module
// runs; an element parsed after that is started without it, with Pyodide from a CDN. So
// PyScript starts only once the page is parsed, and after the form's first frame: started
// earlier, its set-up and Pyodide's keep the page busy just when people begin to type.
(function () {
  const core = new URL("vendor/pyscript/core.js", document.currentScript.src).href;
  let started = false;
  function start() {
    if (!started) {
      started = true;
      import(core);
    }
  }
  function afterParsing() {
    requestAnimationFrame(() => setTimeout(start));
    setTimeout(start, 250); // a tab opened in the background gets no animation frames
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterParsing, { once: true });
  } else {
    afterParsing();
  }
})();
