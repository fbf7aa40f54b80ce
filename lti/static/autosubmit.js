/* Submit the demo platform's launch form at once (a real platform does the same). */
(function () {
  "use strict";
  var form = document.getElementById("lti-autosubmit");
  if (form) { form.submit(); }
}());
