// Keeps an open status page current: the server pushes the rendered live
// section over Server-Sent Events whenever anything changes.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  var note = document.querySelector(".live-note");
  var source = new EventSource("/status/events?lang=" + encodeURIComponent(live.dataset.lang || "en"));
  source.addEventListener("live", function (event) {
    live.innerHTML = event.data;
  });
  source.addEventListener("open", function () {
    if (note) note.hidden = false;
  });
})();
