// Crowdfunding Civico — the "Entra con SPID" chooser (the portal's own script; it replaces the
// upstream jQuery spid-sp-access-button.js, see SOURCES.md). Without JavaScript the page shows the
// identity providers as a plain list of links under a heading; with it, the official button shows and
// opens or closes that same list (a disclosure: aria-expanded, Escape closes it and focus returns).
(function () {
  "use strict";
  document.querySelectorAll("[data-spid-chooser]").forEach(function (chooser) {
    var button = chooser.querySelector("[data-spid-toggle]");
    var plain = chooser.querySelector("[data-spid-plain]");
    var list = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!list) {
      return;
    }
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      list.hidden = !open;
    }
    button.hidden = false;
    if (plain) {
      plain.hidden = true;
    }
    show(false);
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    chooser.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !list.hidden) {
        show(false);
        button.focus();
      }
    });
  });
})();
