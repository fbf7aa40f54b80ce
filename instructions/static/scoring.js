// Scoring grid: every cell and every pupil flag is saved on its own, through a queue that
// never drops an answer. A save is retried (with the same value, which the server accepts as
// success if it was stored already) after a network error or a 5xx until it is stored; the bar
// above the grid says how many answers are not saved yet, and Finish waits until none is.
// A 409 means a colleague saved this cell first: show their answer and say so.
(function () {
  "use strict";
  var grid = document.querySelector("table.score-grid");
  if (!grid) { return; }
  var token = document.querySelector('meta[name="csrf-token"]');
  var status = document.querySelector("[data-status]");
  var counter = document.querySelector("[data-pending]");
  var finish = document.querySelector("[data-finish]");
  var putButtons = document.querySelectorAll("[data-put]");
  var PARALLEL = 4;
  var MAX_DELAY = 15000;

  var unsaved = {};   // key -> true while a cell or flag is not stored as shown
  var waiting = [];   // keys queued for sending
  var jobs = {};      // key -> {el, sending, attempt, delay, timer}
  var active = 0;
  var lastCell = null;

  function key(el) { return el.dataset.key; }
  function count() { return Object.keys(unsaved).length; }

  function say(text) { if (status) { status.textContent = text || ""; } }

  function render() {
    var n = count();
    if (counter) {
      counter.textContent = n === 0 ? counter.dataset.saved
        : (n === 1 ? counter.dataset.one : counter.dataset.many.replace("{n}", String(n)));
      counter.classList.toggle("has-pending", n > 0);
    }
    if (n === 0 && status && status.dataset.kind === "retry") { say(""); status.dataset.kind = ""; }
  }

  // --- what a cell or a pupil row holds -------------------------------------------------------
  function cellValue(input) { return input.value.trim(); }

  function rowState(row) {
    var note = row.querySelector("[data-note]");
    return {
      absent: row.querySelector("[data-absent]").checked,
      deviating: row.querySelector("[data-deviating]").checked,
      note: note ? note.value.trim() : ""
    };
  }

  function current(el) {
    return el.dataset.kind === "cell" ? cellValue(el) : JSON.stringify(rowState(el));
  }

  function touched(el) {
    if (current(el) === el.dataset.saved && !jobs[key(el)]) { delete unsaved[key(el)]; }
    else { unsaved[key(el)] = true; }
    render();
  }

  // --- the queue ---------------------------------------------------------------------------------
  function enqueue(el) {
    var k = key(el);
    if (current(el) === el.dataset.saved && !jobs[k]) { touched(el); return; }
    unsaved[k] = true;
    if (!jobs[k]) { jobs[k] = {el: el, sending: false, attempt: null, delay: 1000, timer: null}; }
    var job = jobs[k];
    if (!job.sending && !job.timer && waiting.indexOf(k) < 0) { waiting.push(k); }
    render();
    pump();
  }

  function pump() {
    while (active < PARALLEL && waiting.length) {
      var job = jobs[waiting.shift()];
      if (job) { send(job); }
    }
  }

  function body(job) {
    var el = job.el;
    if (el.dataset.kind === "cell") {
      return {pupil_id: Number(el.closest("tr").dataset.pupil), item_id: Number(el.dataset.item),
              version: Number(el.dataset.version || 0), seen: el.dataset.saved, value: job.attempt};
    }
    var state = JSON.parse(job.attempt);
    return {pupil_id: Number(el.dataset.pupil), absent: state.absent,
            deviating: state.deviating, note: state.note};
  }

  function send(job) {
    var el = job.el;
    // A retry sends the value of the attempt whose reply was lost, never a newer one: the
    // server then finds it stored and answers success (not a conflict with ourselves).
    if (job.attempt === null) { job.attempt = current(el); }
    if (job.attempt === el.dataset.saved) { done(job); return; }
    job.sending = true;
    active += 1;
    mark(el, "saving");
    var url = el.dataset.kind === "cell" ? grid.dataset.saveUrl : grid.dataset.pupilUrl;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": token ? token.content : ""},
      body: JSON.stringify(body(job))
    }).then(function (response) {
      return response.json().then(
        function (data) { return {status: response.status, data: data}; },
        function () { return {status: response.status, data: null}; });
    }).then(function (result) {
      finished(job, result.status, result.data);
    }, function () {
      finished(job, 0, null);  // no connection: the request may or may not have arrived
    });
  }

  function finished(job, code, data) {
    var el = job.el;
    job.sending = false;
    active -= 1;
    if (code === 200 && data) {
      stored(job, data);
    } else if (code === 409 && data && data.current) {
      conflict(job, data);
    } else if (code === 0 || code >= 500 || code === 429 || data === null) {
      retryLater(job, code);
    } else {
      // 400, 403, 404: sending it again would not help. Keep it counted as not saved.
      mark(el, "failed");
      say((data && data.error) || status.dataset.failed);
      job.attempt = null;
      delete jobs[key(el)];
      unsaved[key(el)] = true;
      render();
    }
    pump();
  }

  function stored(job, data) {
    var el = job.el;
    if (el.dataset.kind === "cell") {
      el.dataset.version = String(data.cell.version);
      el.dataset.saved = data.cell.value;
      if (cellValue(el) === job.attempt) { el.value = data.cell.value; }
      var td = el.closest("td");
      var unchanged = cellValue(el) === data.cell.value;
      td.classList.toggle("ok", unchanged && data.cell.correct === true);
      td.classList.toggle("bad", unchanged && data.cell.correct === false);
      el.closest("tr").querySelector("[data-raw]").textContent = data.raw_score;
    } else {
      el.dataset.saved = job.attempt;
    }
    mark(el, null);
    done(job);
  }

  function conflict(job, data) {
    var el = job.el;
    el.dataset.version = String(data.current.version);
    el.dataset.saved = data.current.value;
    el.value = data.current.value;
    var td = el.closest("td");
    td.classList.toggle("ok", data.current.correct === true);
    td.classList.toggle("bad", data.current.correct === false);
    mark(el, "conflict");
    say(data.error);
    delete jobs[key(el)];
    touched(el);
  }

  function done(job) {
    var el = job.el;
    delete jobs[key(el)];
    job.attempt = null;
    if (current(el) !== el.dataset.saved) { enqueue(el); }  // typed again while saving
    else { touched(el); }
  }

  function retryLater(job, code) {
    var el = job.el;
    mark(el, "retrying");
    if (status) {
      status.dataset.kind = "retry";
      say(code === 0 ? status.dataset.offline : status.dataset.retrying);
    }
    job.timer = window.setTimeout(function () {
      job.timer = null;
      waiting.push(key(el));
      pump();
    }, job.delay);
    job.delay = Math.min(job.delay * 2, MAX_DELAY);
    render();
  }

  function mark(el, state) {
    var box = el.dataset.kind === "cell" ? el.closest("td") : el.querySelector("th");
    ["saving", "retrying", "failed", "conflict"].forEach(function (name) {
      box.classList.toggle(name, name === state);
    });
  }

  // Back online: send what is waiting for its next try now.
  window.addEventListener("online", function () {
    Object.keys(jobs).forEach(function (k) {
      var job = jobs[k];
      if (job.timer) {
        window.clearTimeout(job.timer);
        job.timer = null;
        job.delay = 1000;
        waiting.push(k);
      }
    });
    document.querySelectorAll("td.failed input[data-item]").forEach(enqueue);
    pump();
  });

  window.addEventListener("beforeunload", function (event) {
    if (count() > 0) { event.preventDefault(); event.returnValue = ""; }
  });

  // --- Finish waits until everything is stored ------------------------------------------------
  if (finish) {
    finish.addEventListener("click", function (event) {
      var n = count();
      if (n === 0) { return; }
      event.preventDefault();
      grid.querySelectorAll("input[data-item]").forEach(function (input) {
        if (cellValue(input) !== input.dataset.saved) { enqueue(input); }
      });
      say(n === 1 ? finish.dataset.refuseOne : finish.dataset.refuseMany.replace("{n}", String(n)));
      if (status) { status.dataset.kind = ""; }
    });
  }

  // --- moving through the grid ------------------------------------------------------------------
  var inputs = Array.prototype.slice.call(grid.querySelectorAll("input[data-item]"));

  function usable(input) { return input && !input.disabled; }

  function step(input, forward) {
    var index = inputs.indexOf(input);
    for (var i = index + (forward ? 1 : -1); i >= 0 && i < inputs.length; i += forward ? 1 : -1) {
      if (usable(inputs[i])) { return inputs[i]; }
    }
    return null;
  }

  function vertical(input, down) {
    var td = input.closest("td");
    var row = input.closest("tr");
    do { row = down ? row.nextElementSibling : row.previousElementSibling; }
    while (row && row.classList.contains("absent"));
    return row ? row.children[td.cellIndex].querySelector("input") : null;
  }

  function go(target) {
    if (target) { target.focus(); }
  }

  function put(input, value) {
    input.value = value;
    enqueue(input);
  }

  inputs.forEach(function (input, index) {
    input.dataset.kind = "cell";
    input.dataset.key = "c" + index;
    input.dataset.saved = cellValue(input);
    input.addEventListener("focus", function () {
      lastCell = input;
      putButtons.forEach(function (b) { b.disabled = false; });
      // Typing in a filled cell replaces its answer, it never appends ("+" over "+" is "+"),
      // as in a spreadsheet: the first key after arriving in a cell starts a new answer.
      input.dataset.fresh = "1";
      input.select();
      window.setTimeout(function () { if (document.activeElement === input) { input.select(); } }, 0);
    });
    input.addEventListener("input", function () { delete input.dataset.fresh; touched(input); });
    input.addEventListener("change", function () { enqueue(input); });
    input.addEventListener("blur", function () { if (cellValue(input) !== input.dataset.saved) { enqueue(input); } });
    input.addEventListener("keydown", function (event) {
      var target;
      var typing = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
      if (input.dataset.fresh && (typing || event.key === "Backspace" || event.key === "Delete")) {
        input.value = "";  // the key then types the new answer into an empty cell
        delete input.dataset.fresh;
        if (!typing) { event.preventDefault(); touched(input); return; }
      }
      if ((event.key === "+" || event.key === "-") && !event.ctrlKey && !event.metaKey &&
          (cellValue(input) === "+" || cellValue(input) === "-" || cellValue(input) === "" ||
           input.selectionEnd - input.selectionStart === input.value.length)) {
        event.preventDefault();
        input.value = event.key;
        touched(input);
        return;
      }
      if (event.key === "Enter") {
        target = step(input, !event.shiftKey);
      } else if (event.key === "ArrowRight") {
        target = input.closest("td").nextElementSibling;
        target = target ? target.querySelector("input[data-item]") : null;
      } else if (event.key === "ArrowLeft") {
        target = input.closest("td").previousElementSibling;
        target = target ? target.querySelector("input[data-item]") : null;
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        target = vertical(input, event.key === "ArrowDown");
      } else {
        return;
      }
      event.preventDefault();
      enqueue(input);
      go(target);
    });
  });

  putButtons.forEach(function (button) {
    // Keep the cell focused on touch, so the keyboard does not pop up and down.
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      if (!lastCell || lastCell.disabled) { return; }
      put(lastCell, button.dataset.put);
      var next = step(lastCell, true);
      if (next) { lastCell = next; next.focus({preventScroll: false}); }
    });
  });

  // --- absent and deviating ----------------------------------------------------------------------
  grid.querySelectorAll("tbody tr[data-pupil]").forEach(function (row, index) {
    row.dataset.kind = "pupil";
    row.dataset.key = "p" + index;
    row.dataset.saved = JSON.stringify(rowState(row));
    var absent = row.querySelector("[data-absent]");
    var deviating = row.querySelector("[data-deviating]");
    var note = row.querySelector("[data-note]");
    absent.addEventListener("change", function () {
      row.classList.toggle("absent", absent.checked);
      row.querySelectorAll("input[data-item]").forEach(function (i) { i.disabled = absent.checked; });
      enqueue(row);
    });
    deviating.addEventListener("change", function () {
      note.hidden = !deviating.checked;
      if (deviating.checked) { note.focus(); }
      enqueue(row);
    });
    note.addEventListener("input", function () { touched(row); });
    note.addEventListener("change", function () { enqueue(row); });
    note.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); enqueue(row); }
    });
  });
  render();
})();
