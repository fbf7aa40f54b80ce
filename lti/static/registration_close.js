/* Dynamic registration is done: tell the platform (which opened us) to close this window. */
(function () {
  "use strict";
  var target = window.opener || window.parent;
  if (target && target !== window) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
}());
