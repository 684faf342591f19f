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
    function draw(stroke) {
      ctx.beginPath();
      ctx.moveTo(stroke[0][0], stroke[0][1]);
      if (stroke.length === 1) ctx.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      for (var i = 1; i < stroke.length; i++) ctx.lineTo(stroke[i][0], stroke[i][1]);
      ctx.stroke();
    }
    // A form sent back (a wrong code) keeps the drawing in its field: show it again, so the
    // trainee does not have to sign twice.
    try {
      var kept = field.value ? JSON.parse(field.value) : null;
      if (kept && kept.w === canvas.width && kept.h === canvas.height && Array.isArray(kept.strokes)) {
        strokes = kept.strokes.filter(function (s) { return Array.isArray(s) && s.length > 0; });
        strokes.forEach(draw);
      }
    } catch (e) {
      field.value = "";
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

  // Puts the fresh part in place. Its status line (role="status") stays the same element and
  // only its text changes: a live region is read out when its text changes, not when it is
  // replaced by a new one, and an unchanged count is not announced again every few seconds.
  function replace(element, html) {
    var next = document.createElement("div");
    next.innerHTML = html;
    var kept = element.querySelector('[role="status"]');
    var fresh = next.querySelector('[role="status"]');
    if (!kept || !fresh || kept.parentNode !== element || fresh.parentNode !== next) {
      element.innerHTML = html;
      return;
    }
    while (kept.previousSibling) element.removeChild(kept.previousSibling);
    while (kept.nextSibling) element.removeChild(kept.nextSibling);
    while (next.firstChild !== fresh) element.insertBefore(next.firstChild, kept);
    next.removeChild(fresh);
    while (next.firstChild) element.appendChild(next.firstChild);
    if (kept.textContent !== fresh.textContent) kept.textContent = fresh.textContent;
  }

  function live(element) {
    var url = element.getAttribute("data-live");
    var every = parseInt(element.getAttribute("data-live-ms"), 10) || 3000;
    var last = null;
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || html === last) return;
          last = html;
          replace(element, html);
        })
        .catch(function () {})
        .then(function () { setTimeout(refresh, every); });
    }
    setTimeout(refresh, every);
  }

  document.querySelectorAll(".signature-pad").forEach(pad);
  document.querySelectorAll("[data-live]").forEach(live);
})();
