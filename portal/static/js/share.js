// Crowdfunding Civico — "Condividi…": the system share sheet, where the browser has one (phones).
//
// Without JavaScript, or without navigator.share (most desktop browsers), nothing is added: the
// page's plain share links and its address to copy are there (copying: static/js/copy.js). With it,
// each [data-share] element gets a button that opens the sheet with the page's title, text and
// address (data-share-title, data-share-text, data-share-url), and is shown. The label comes from
// the page (data-share-label), in its language. Nothing is loaded from elsewhere; no tracking.
(function () {
  "use strict";

  if (typeof navigator.share !== "function") {
    return;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), function (place) {
    if (place.hasAttribute("data-share-ready")) {
      return;
    }
    place.setAttribute("data-share-ready", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-primary share-button";
    button.textContent = place.getAttribute("data-share-label") || "Condividi";
    button.addEventListener("click", function () {
      navigator
        .share({
          title: place.getAttribute("data-share-title") || document.title,
          text: place.getAttribute("data-share-text") || "",
          url: place.getAttribute("data-share-url") || window.location.href,
        })
        .catch(function () {
          // The person closed the sheet (AbortError): nothing to say.
        });
    });
    place.appendChild(button);
    place.hidden = false;
  });
})();
