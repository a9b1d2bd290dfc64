// Crowdfunding Civico — a campaign's video, loaded only when the person asks for it.
//
// Without JavaScript the preview (the cover photo, or a plain box) has a link to the video on its
// site. With it, each [data-video] preview gets a button; only its click puts the player in place
// of the preview: an iframe of data-video (YouTube without cookies, or Vimeo with "do not track"),
// titled data-video-title, and moves the focus there. Until then nothing is requested from their
// servers: no script, no thumbnail. The button's words come from the page (data-video-button).
(function () {
  "use strict";

  function play(preview) {
    var frame = document.createElement("iframe");
    frame.className = "video-frame";
    frame.src = preview.getAttribute("data-video");
    frame.title = preview.getAttribute("data-video-title") || "Video";
    frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    var poster = preview.querySelector(".video-poster");
    preview.replaceChild(frame, poster);
    frame.focus();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-video]"), function (preview) {
    var poster = preview.querySelector(".video-poster");
    if (!poster || preview.hasAttribute("data-video-ready")) {
      return;
    }
    preview.setAttribute("data-video-ready", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "video-play";
    button.textContent = preview.getAttribute("data-video-button") || "Play";
    button.addEventListener("click", function () {
      play(preview);
    });
    poster.appendChild(button);
  });
})();
