// Relais banner: shows the current outage and where to reach us instead,
// nothing otherwise. No cookies, no dependency.
(function () {
  var data = __RELAIS_DATA__;
  if (!data.active) return;
  var lang = ((document.documentElement.lang || navigator.language || "en") + "").slice(0, 2).toLowerCase();
  var text = data[lang === "fr" ? "fr" : "en"];
  var key = "relais-dismissed";
  try { if (sessionStorage.getItem(key) === data.version) return; } catch (e) {}
  function show() {
    if (document.getElementById("relais-banner")) return;
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
