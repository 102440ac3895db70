// The service worker of the status page: shows the notifications the server
// sends (one per incident, replaced by its updates), opens the incident page
// on a click and counts the click.
self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (e) {
      data = { title: event.data.text() };
    }
  }
  var options = {
    body: data.body || "",
    data: { url: data.url || "/", topic: data.topic || "" }
  };
  if (data.topic) {
    options.tag = data.topic;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || "", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  var url = data.url || "/";
  var counted = data.topic
    ? fetch("/api/push/clicks", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ topic: data.topic })
      }).catch(function () {})
    : Promise.resolve();
  var opened = self.clients
    .matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
      }
      return self.clients.openWindow(url);
    });
  event.waitUntil(Promise.all([counted, opened]));
});
