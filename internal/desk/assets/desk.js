// difesa desk: live updates. The pages work without this script; with it,
// a change on a hub refreshes the inbox in place, and an urgent one raises
// a notification and a sound. It writes nothing to the browser's storage
// and reads nothing but the desk's own pages and event stream.
"use strict";
(function () {
  var msgs = {};
  try { msgs = JSON.parse(document.getElementById("i18n").textContent) || {}; } catch (e) { msgs = {}; }
  function t(k) { return msgs[k] || k; }
  var page = document.body.getAttribute("data-page");
  var live = document.getElementById("live");
  function say(text) {
    if (!live) return;
    live.hidden = false;
    live.textContent = text;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });
  var notifyButton = document.getElementById("notify");
  if (notifyButton) {
    if (!("Notification" in window) || Notification.permission !== "default") {
      notifyButton.parentNode.hidden = true;
    }
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyButton.parentNode.hidden = true; });
    });
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = new Ctx();
      var o = ctx.createOscillator();
      var g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.2;
      o.connect(g);
      g.connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.4);
      o.onended = function () { ctx.close(); };
    } catch (e) { /* no sound: the notification and the page still say it */ }
  }

  function urgent() {
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      // The notification says only that something urgent came: never a
      // word of the case, which the system may keep in its history.
      new Notification(t("desk"), { body: t("js_urgent"), tag: "difesa-desk-urgent" });
    }
  }

  // busy reports whether the responder is writing in el: it is then left
  // as it is (the next change, or a reload, brings it up to date).
  function busy(el) {
    if (el.contains(document.activeElement) && document.activeElement !== document.body) return true;
    return Array.prototype.some.call(el.querySelectorAll("input[type=text], textarea"), function (i) { return i.value !== ""; });
  }

  var refreshing = false, again = false;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", cache: "no-store", redirect: "error" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["hubs", "alarms", "counts", "items"].forEach(function (id) {
          var now = document.getElementById(id), next = doc.getElementById(id);
          if (now && busy(now)) return; // never under the responder's hands
          if (now && next) {
            now.replaceWith(document.importNode(next, true));
          } else if (!now && next && id === "alarms") {
            var h1 = document.querySelector("main h1");
            if (h1) h1.insertAdjacentElement("afterend", document.importNode(next, true));
          }
        });
        say(t("js_updated"));
      })
      .catch(function () { say(t("js_new")); })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  if (!window.EventSource) return;
  var es = new EventSource("/events");
  es.addEventListener("change", function (ev) {
    var c = {};
    try { c = JSON.parse(ev.data); } catch (e) { return; }
    if (c.urgent) urgent();
    if (page === "inbox") refresh(); else say(t("js_new"));
  });
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED) say(t("js_offline"));
  };
})();
