// The archive page's progress: asks the server every second how many documents are laid out,
// moves the bar, and reloads the page once the archive is ready (or failed), which then shows
// the download link. Without this script, the page's « Actualiser » link does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("archive");
  if (!box || box.dataset.status !== "running") return;
  var bar = document.getElementById("archive-progress");
  var count = document.getElementById("archive-count");
  function tick() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        bar.max = p.total;
        bar.value = p.done;
        bar.textContent = p.done + " sur " + p.total;
        count.textContent = p.done + " sur " + p.total;
        if (p.status === "running") setTimeout(tick, 1000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
