// Crowdfunding Civico — "Copia" buttons for the bank transfer's details (progressive enhancement).
//
// Without JavaScript, or without the Clipboard API (a page not served over HTTPS, an old browser),
// the values stay plain text to select and copy, and no button is shown. With both, each value
// marked [data-copy] inside a [data-copy-area] gets a button after it; the button copies the
// value's data-copy attribute (the IBAN without spaces, the amount without the euro sign) or, when
// empty, its text, and the area's live region ([data-copy-status], role="status") says so.
// Every word comes from the page (data-copy-label, data-copy-button, data-copied,
// data-copy-failed), in the page's language. No inline style: the look is in portal.css.
(function () {
  "use strict";

  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
    return;
  }

  function announce(status, message) {
    if (!status) {
      return;
    }
    // Emptied first, so that copying the same value twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function addButton(area, value, status) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-primary btn-sm copy-button";
    button.textContent = area.getAttribute("data-copy-label") || "Copia";
    var name = value.getAttribute("data-copy-button");
    if (name) {
      button.setAttribute("aria-label", name);
    }
    button.addEventListener("click", function () {
      var text = value.getAttribute("data-copy") || value.textContent.trim();
      navigator.clipboard.writeText(text).then(
        function () {
          announce(status, value.getAttribute("data-copied") || "");
        },
        function () {
          announce(status, area.getAttribute("data-copy-failed") || "");
        }
      );
    });
    value.insertAdjacentElement("afterend", button);
  }

  function init(root) {
    var areas = root.querySelectorAll ? root.querySelectorAll("[data-copy-area]") : [];
    Array.prototype.forEach.call(areas, function (area) {
      if (area.hasAttribute("data-copy-ready")) {
        return; // the script ran again (an htmx swap): one button per value
      }
      area.setAttribute("data-copy-ready", "");
      var status = area.querySelector("[data-copy-status]");
      if (status) {
        status.hidden = false;
      }
      Array.prototype.forEach.call(area.querySelectorAll("[data-copy]"), function (value) {
        addButton(area, value, status);
      });
    });
  }

  init(document);
  // Content swapped in by htmx (the status page refreshing itself) gets its buttons too.
  document.addEventListener("htmx:load", function (event) {
    init(event.target.parentNode || document);
  });
})();
