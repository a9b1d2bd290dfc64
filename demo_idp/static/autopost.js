// The demo identity provider: sends a SAML message's form at once (HTTP-POST binding).
// Without JavaScript the page shows the form's button, which does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autopost]");
  if (form) {
    form.submit();
  }
})();
