// Keeps an open status page current: the server pushes the rendered live
// section over Server-Sent Events whenever anything changes. Visitor reports
// are sent without leaving the page (the form works without JavaScript too).
(function () {
  var live = document.getElementById("live");
  if (!live) return;
  var reported = {};
  function thank(form, text) {
    var p = document.createElement("p");
    p.className = "report-done";
    p.setAttribute("role", "status");
    p.textContent = text;
    form.replaceWith(p);
  }
  function markReported() {
    live.querySelectorAll("form.report").forEach(function (form) {
      var id = form.elements.channel_id.value;
      if (reported[id]) thank(form, reported[id]);
    });
  }
  live.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("report") || !window.fetch) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (r) {
      var text = r.status === 429 ? form.dataset.limit : r.ok ? form.dataset.thanks : null;
      if (text) {
        reported[form.elements.channel_id.value] = text;
        thank(form, text);
      } else {
        form.submit();
      }
    }, function () { form.submit(); });
  });
  if (!window.EventSource) return;
  var note = document.querySelector(".live-note");
  var source = new EventSource("/status/events?lang=" + encodeURIComponent(live.dataset.lang || "en"));
  source.addEventListener("live", function (event) {
    live.innerHTML = event.data;
    markReported();
  });
  source.addEventListener("open", function () {
    if (note) note.hidden = false;
  });
})();
