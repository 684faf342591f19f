// Forma — émargement. Two small enhancements, the pages work without them:
// 1. signature pads: a canvas drawn with a finger, a stylus or a mouse; the strokes go into the
//    form's hidden `signature` field as {"w","h","strokes":[[[x,y],…],…]} (integers);
// 2. live parts: an element with data-live="URL" is refreshed from that URL every
//    data-live-ms milliseconds (the trainer's QR code and the signatures).
(function () {
  "use strict";

  function pad(root) {
    var canvas = root.querySelector("canvas");
    var field = root.querySelector('input[name="signature"]');
    var clear = root.querySelector(".signature-clear");
    if (!canvas || !field) return;
    root.hidden = false;
    var ctx = canvas.getContext("2d");
    var strokes = [];
    var current = null;
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = Math.round((event.clientX - box.left) * canvas.width / box.width);
      var y = Math.round((event.clientY - box.top) * canvas.height / box.height);
      return [Math.max(0, Math.min(canvas.width, x)), Math.max(0, Math.min(canvas.height, y))];
    }
    function save() {
      var points = strokes.reduce(function (n, s) { return n + s.length; }, 0);
      field.value = points >= 2 ? JSON.stringify({ w: canvas.width, h: canvas.height, strokes: strokes }) : "";
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      ctx.beginPath();
      ctx.moveTo(current[0][0], current[0][1]);
      ctx.lineTo(current[0][0] + 0.1, current[0][1]);
      ctx.stroke();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) return;
      var p = point(event);
      var last = current[current.length - 1];
      if (p[0] === last[0] && p[1] === last[1]) return;
      current.push(p);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    function end() {
      if (current) save();
      current = null;
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    if (clear) {
      clear.addEventListener("click", function () {
        strokes = [];
        current = null;
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        save();
      });
    }
  }

  function live(element) {
    var url = element.getAttribute("data-live");
    var every = parseInt(element.getAttribute("data-live-ms"), 10) || 3000;
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) element.innerHTML = html; })
        .catch(function () {})
        .then(function () { setTimeout(refresh, every); });
    }
    setTimeout(refresh, every);
  }

  document.querySelectorAll(".signature-pad").forEach(pad);
  document.querySelectorAll("[data-live]").forEach(live);
})();
