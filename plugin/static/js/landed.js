/* A launch answered with its landing page (no redirect): the frame's address becomes the
   page's own, so reloading asks for the page and never posts the used launch form again. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (url && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
}());
