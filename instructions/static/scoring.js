// Scoring grid: each cell is saved as soon as it changes (fetch + CSRF header). A 409 means a
// colleague saved this cell first: show their answer and say so, never overwrite silently.
(function () {
  "use strict";
  var grid = document.querySelector("table.score-grid");
  if (!grid) { return; }
  var url = grid.dataset.saveUrl;
  var token = document.querySelector('meta[name="csrf-token"]');
  var status = document.querySelector("[data-status]");

  function show(input, cell) {
    var td = input.closest("td");
    input.dataset.version = String(cell.version);
    input.value = cell.given_answer || (cell.correct === true ? "+" : (cell.correct === false ? "-" : ""));
    input.dataset.saved = input.value;
    td.classList.toggle("ok", cell.correct === true);
    td.classList.toggle("bad", cell.correct === false);
  }

  function save(input) {
    // One request per cell at a time: Enter and the following blur must not send twice.
    if (input.dataset.pending !== undefined) { return; }
    if (input.value === (input.dataset.saved || "")) { return; }
    input.dataset.pending = input.value;
    var row = input.closest("tr");
    var td = input.closest("td");
    td.classList.add("saving");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token ? token.content : ""},
      body: JSON.stringify({
        pupil_id: Number(row.dataset.pupil), item_id: Number(input.dataset.item),
        version: Number(input.dataset.version || 0), value: input.value
      })
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; });
    }).then(function (result) {
      var typed = input.value;
      var sent = input.dataset.pending;
      delete input.dataset.pending;
      td.classList.remove("saving", "conflict", "failed");
      if (result.status === 200) {
        show(input, result.data.cell);
        row.querySelector("[data-raw]").textContent = result.data.raw_score;
        if (status) { status.textContent = ""; }
        if (typed !== sent) {
          input.value = typed;  // typed again while saving: save the newer value too
          save(input);
        }
      } else if (result.status === 409) {
        show(input, result.data.current);
        td.classList.add("conflict");
        if (status) { status.textContent = result.data.error; }
      } else {
        td.classList.add("failed");
        if (status) { status.textContent = result.data.error || status.dataset.failed; }
      }
    }).catch(function () {
      delete input.dataset.pending;
      td.classList.remove("saving");
      td.classList.add("failed");
      if (status) { status.textContent = status.dataset.offline; }
    });
  }

  // Back online: send the cells that could not be saved again.
  window.addEventListener("online", function () {
    grid.querySelectorAll("td.failed input[data-item]").forEach(save);
  });

  grid.querySelectorAll("input[data-item]").forEach(function (input) {
    input.dataset.saved = input.value;
    input.addEventListener("change", function () { save(input); });
    input.addEventListener("keydown", function (event) {
      var td = input.closest("td");
      var target = null;
      if (event.key === "Enter" || event.key === "ArrowRight") {
        target = td.nextElementSibling;
      } else if (event.key === "ArrowLeft") {
        target = td.previousElementSibling;
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var row = event.key === "ArrowDown" ? td.parentElement.nextElementSibling
                                            : td.parentElement.previousElementSibling;
        target = row ? row.children[td.cellIndex] : null;
      } else {
        return;
      }
      event.preventDefault();
      save(input);
      if (target && target.querySelector("input")) { target.querySelector("input").focus(); }
    });
  });
})();
