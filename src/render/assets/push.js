// Browser notifications from the status page: the button registers the
// service worker, subscribes with the server's key and hands the
// subscription to the server. It stays hidden where the browser cannot.
(function () {
  var box = document.getElementById("push");
  if (!box || !window.fetch || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var state = document.getElementById("push-state");

  function say(text) {
    state.textContent = text || "";
  }
  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? box.dataset.on : "");
  }
  function call(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { "Accept": "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }
  // The server's key as the bytes `applicationServerKey` takes.
  function bytes(b64url) {
    var s = atob(b64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64url.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function register() {
    return navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    });
  }
  // Hands a subscription (a PushSubscription or its JSON) to the server.
  function send(subscription) {
    var json = subscription.toJSON ? subscription.toJSON() : subscription;
    var ticked = box.querySelectorAll("input[name=push_interests]:checked");
    var interests = Array.prototype.map.call(ticked, function (c) { return c.value; });
    return call("POST", "/api/push/subscriptions", {
      endpoint: json.endpoint,
      keys: json.keys,
      lang: box.dataset.lang,
      interests: interests.length ? interests : undefined
    });
  }
  function subscribe() {
    on.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw "denied";
        return Promise.all([register(), fetch("/api/push/key").then(function (r) { return r.json(); })]);
      })
      .then(function (both) {
        var manager = both[0].pushManager;
        return manager.getSubscription().then(function (existing) {
          return existing || manager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: bytes(both[1].public_key)
          });
        });
      })
      .then(send)
      .then(function () { show(true); })
      .catch(function (e) { say(e === "denied" ? box.dataset.denied : box.dataset.failed); })
      .then(function () { on.disabled = false; });
  }
  function unsubscribe() {
    off.disabled = true;
    navigator.serviceWorker.getRegistration()
      .then(function (reg) { return reg && reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) return null;
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return call("DELETE", "/api/push/subscriptions", { endpoint: endpoint });
        });
      })
      .then(function () { show(false); })
      .catch(function () { say(box.dataset.failed); })
      .then(function () { off.disabled = false; });
  }

  on.addEventListener("click", subscribe);
  off.addEventListener("click", unsubscribe);
  box.hidden = false;
  navigator.serviceWorker.getRegistration().then(function (reg) {
    return reg && reg.pushManager.getSubscription();
  }).then(function (sub) {
    if (sub && Notification.permission === "granted") show(true);
  }).catch(function () {});
  // For a wrapper app that makes its own subscription: register the worker
  // and hand the subscription over, as the button does.
  window.relaisPush = { register: register, send: send };
})();
