// Crowdfunding Civico — sends a SAML message's form (SPID/CIE sign-in and sign-out) at once.
// Without JavaScript the page shows the form's button, which does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autopost]");
  if (form) {
    form.submit();
  }
})();
