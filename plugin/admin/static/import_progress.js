// Import progress: poll the job's status and move the bar; reload the page when the job has
// ended (the page then shows what was applied, or why it failed). Without JavaScript the
// page offers a reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");
  var lang = document.documentElement.lang || "nl";
  function number(n) { return Number(n).toLocaleString(lang); }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        var progress = job.progress;
        if (progress && progress.total) {
          bar.max = progress.total;
          bar.value = progress.done;
          status.textContent = box.dataset.statusText
            .replace("{done}", number(progress.done)).replace("{total}", number(progress.total));
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());
