/* The demo platform's LTI Platform Storage frame (development only): keeps values per tool
   origin in memory and answers lti.put_data / lti.get_data, as Canvas's storage frame does. */
(function () {
  "use strict";
  var data = {};
  window.addEventListener("message", function (event) {
    var message = event.data || {};
    if (!event.source || typeof message.subject !== "string") { return; }
    var store = data[event.origin] = data[event.origin] || {};
    var reply = { message_id: message.message_id, key: message.key };
    if (message.subject === "lti.put_data") {
      store[message.key] = message.value;
      reply.subject = "lti.put_data.response";
      reply.value = message.value;
    } else if (message.subject === "lti.get_data") {
      reply.subject = "lti.get_data.response";
      reply.value = Object.prototype.hasOwnProperty.call(store, message.key) ? store[message.key] : null;
    } else {
      return;
    }
    event.source.postMessage(reply, event.origin);
  });
}());
