/* LTI Platform Storage (1EdTech "LTI Client Side postMessages"): keep the OIDC state and nonce
   in the platform's frame when the browser gives our iframe no cookies.
   put mode (login): store state and nonce, then continue to the platform's auth URL.
   get mode (launch): read state and nonce back from the platform's storage frame in this
   browser and post them, with the launch, to the tool's own /lti/launch/storage (same origin).
   Messages go to the platform's origin only, and only its answers are read: never "*". */
(function () {
  "use strict";
  var put = document.getElementById("lti-storage");
  var form = document.getElementById("lti-storage-form");
  var el = put || form;
  if (!el) { return; }
  var target = el.dataset.target || "_parent";
  var origin = el.dataset.origin;
  var frame = window.parent;
  if (target !== "_parent" && window.parent.frames[target]) { frame = window.parent.frames[target]; }
  var pending = {};
  var counter = 0;

  function send(subject, data, done) {
    var id = "lib-" + Date.now() + "-" + (counter += 1);
    pending[id] = done;
    var message = Object.assign({ subject: subject, message_id: id }, data);
    frame.postMessage(message, origin);
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.origin !== origin) { return; }
    var done = pending[data.message_id];
    if (!done) { return; }
    delete pending[data.message_id];
    done(data.error ? null : data.value);
  });

  function fallback() {
    if (put) { window.location.href = put.dataset.next; } else { form.submit(); }
  }
  var timer = window.setTimeout(fallback, 3000);
  if (!origin || origin === "*") { window.clearTimeout(timer); fallback(); return; }

  if (put) {
    var state = put.dataset.state;
    send("lti.put_data", { key: "lib_state_" + state, value: state }, function () {
      send("lti.put_data", { key: "lib_nonce_" + state, value: put.dataset.nonce }, function () {
        window.clearTimeout(timer);
        window.location.href = put.dataset.next;
      });
    });
  } else {
    send("lti.get_data", { key: "lib_state_" + form.dataset.state }, function (state) {
      send("lti.get_data", { key: "lib_nonce_" + form.dataset.state }, function (nonce) {
        window.clearTimeout(timer);
        form.elements.lti_storage_state.value = state || "";
        form.elements.lti_storage_nonce.value = nonce || "";
        form.submit();
      });
    });
  }
}());
