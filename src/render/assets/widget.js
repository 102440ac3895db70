// Relais banner: shows the current outage and where to reach us instead,
// nothing otherwise. Visitors can say which channel they cannot reach. With
// `data-report-button` on the script tag, a small "Can't reach us?" button
// offers that even when nothing is known to be down. No cookies, no dependency.
(function () {
  var data = __RELAIS_DATA__;
  var script = document.currentScript;
  var corner = !!(script && script.hasAttribute("data-report-button")) && data.reports.length > 0;
  if (!data.active && !corner) return;
  var lang = ((document.documentElement.lang || navigator.language || "en") + "").slice(0, 2).toLowerCase();
  var text = data[lang === "fr" ? "fr" : "en"];
  var key = "relais-dismissed";
  try { if (data.active && sessionStorage.getItem(key) === data.version) return; } catch (e) {}
  function reportButtons(into) {
    data.reports.forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = text.report + " " + c.name;
      b.style.cssText = "margin:.4em .5em 0 0;padding:.25em .6em;border:1px solid currentColor;border-radius:4px;" +
        "background:transparent;color:inherit;font:inherit;font-size:.9em;cursor:pointer";
      b.onclick = function () {
        fetch(data.url + "/api/reports", {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "channel_id=" + encodeURIComponent(c.id) + "&lang=" + text.lang
        }).then(function (r) {
          // A refused report keeps its button, except past the visitor's limit.
          if (!r.ok && r.status !== 429) return;
          var done = document.createElement("span");
          done.textContent = r.ok ? text.thanks : text.limit;
          b.replaceWith(done);
        }, function () {});
      };
      into.appendChild(b);
    });
  }
  function show() {
    if (document.getElementById("relais-banner")) return;
    if (!data.active) {
      var open = document.createElement("button");
      open.id = "relais-banner";
      open.type = "button";
      open.lang = text.lang;
      open.textContent = text.cant_reach;
      open.style.cssText = "position:fixed;right:1em;bottom:1em;z-index:2147483000;padding:.5em .9em;border-radius:2em;" +
        "border:1px solid #1d2327;background:#fff;color:#1d2327;font:14px system-ui,sans-serif;cursor:pointer";
      open.onclick = function () {
        var panel = document.createElement("div");
        panel.id = "relais-banner";
        panel.lang = text.lang;
        panel.setAttribute("role", "dialog");
        panel.style.cssText = open.style.cssText + ";border-radius:8px;max-width:22em;cursor:auto";
        var shut = document.createElement("button");
        shut.type = "button";
        shut.textContent = "\u00d7";
        shut.setAttribute("aria-label", text.dismiss);
        shut.style.cssText = "float:right;border:0;background:none;font-size:1.3em;line-height:1;cursor:pointer;color:inherit";
        shut.onclick = function () { panel.replaceWith(open); };
        panel.appendChild(shut);
        reportButtons(panel);
        open.replaceWith(panel);
      };
      document.body.appendChild(open);
      return;
    }
    var bar = document.createElement("div");
    bar.id = "relais-banner";
    bar.setAttribute("role", "status");
    bar.lang = text.lang;
    bar.style.cssText = "position:relative;z-index:2147483000;display:flex;gap:.75em;align-items:flex-start;" +
      "padding:.75em 1em;background:#fff4e6;color:#1d2327;border-bottom:3px solid #d9480f;" +
      "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
    var body = document.createElement("div");
    body.style.flex = "1";
    var msg = document.createElement("p");
    msg.style.margin = "0";
    msg.textContent = text.message;
    body.appendChild(msg);
    var link = document.createElement("a");
    link.href = data.url + "/" + text.lang + "/";
    link.textContent = text.see_status;
    link.style.color = "#0b57d0";
    body.appendChild(link);
    if (window.fetch && data.reports.length) {
      var reports = document.createElement("div");
      reportButtons(reports);
      body.appendChild(reports);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", text.dismiss);
    close.style.cssText = "border:0;background:none;font-size:1.4em;line-height:1;cursor:pointer;color:inherit";
    close.onclick = function () {
      bar.parentNode.removeChild(bar);
      try { sessionStorage.setItem(key, data.version); } catch (e) {}
    };
    bar.appendChild(body);
    bar.appendChild(close);
    document.body.insertBefore(bar, document.body.firstChild);
  }
  if (document.body) show(); else document.addEventListener("DOMContentLoaded", show);
})();
