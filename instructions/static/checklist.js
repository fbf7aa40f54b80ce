// Preparation checklist: tick a step without reloading, and keep the focus on the step (a
// disabled button would drop it). Without JavaScript the same buttons submit their form
// (the server answers with a redirect back to the step).
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  var status = document.querySelector("[data-status]");
  document.querySelectorAll("form.tick-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button.tick");
      var field = form.querySelector('input[name="done"]');
      if (button.getAttribute("aria-busy") === "true") { return; }
      var done = field.value === "1";
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": token ? token.content : ""},
        body: JSON.stringify({done: done})
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        var item = form.closest("li");
        item.classList.toggle("done", data.done);
        button.setAttribute("aria-pressed", data.done ? "true" : "false");
        form.querySelector(".box").textContent = data.done ? "\u2713" : "";
        var template = form.closest("ul").dataset.tickedBy || "{who}";
        form.querySelector(".by").textContent =
          data.done && data.by ? template.replace("{who}", data.by) : "";
        field.value = data.done ? "0" : "1";
        if (status) { status.textContent = ""; }
      }).catch(function () {
        if (status) { status.textContent = status.dataset.error; }
      }).finally(function () { button.removeAttribute("aria-busy"); });
    });
  });
})();
