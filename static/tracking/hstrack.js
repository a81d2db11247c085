/*
 * First-party tracking script: page views, CTA views and clicks, cookie-banner consent.
 *
 * Embed on every page (served from this product's static files; no CDN, no build step):
 *   <script src="/static/tracking/hstrack.js" data-site-key="pk_..."
 *           data-endpoint="https://crm.example.com/tracking/v1/hits" defer></script>
 *
 * - Visitor cookie: "hubspotutk" (32 hex digits), first-party on the site, 13 months, like
 *   HubSpot's. Send it as "hutk" in form submissions: that makes the visitor a known contact.
 * - Page view on load (URL, title, referrer, time); a document that is not HTML is flagged
 *   a download (the server never counts files as page views).
 * - CTAs: elements marked data-cta-id="<id>": one CTA_VIEW when first on screen, a
 *   CTA_CLICK per click.
 * - Consent: elements marked data-consent="accepted|declined|revoked" (optionally
 *   data-privacy-name, default "cookies"), or hstrack.consent(status, name). After
 *   "declined" or "revoked" nothing else is sent from this browser until "accepted";
 *   data-require-consent="true" on the script tag sends nothing before "accepted".
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.hstrack) return;
  var siteKey = script.getAttribute("data-site-key") || "";
  var endpoint =
    script.getAttribute("data-endpoint") || new URL("/tracking/v1/hits", script.src).href;
  var requireConsent = script.getAttribute("data-require-consent") === "true";
  var COOKIE = "hubspotutk";
  var CONSENT_COOKIE = "hstrack_consent";
  var THIRTEEN_MONTHS = 13 * 30 * 24 * 3600 + 5 * 24 * 3600; // ~395 days, in seconds

  function hex(bytes) {
    var out = "";
    var values = new Uint8Array(bytes);
    window.crypto.getRandomValues(values);
    for (var i = 0; i < values.length; i++) out += ("0" + values[i].toString(16)).slice(-2);
    return out;
  }
  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function writeCookie(name, value) {
    document.cookie =
      name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + THIRTEEN_MONTHS +
      "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  var utk = readCookie(COOKIE);
  if (!/^[0-9a-f]{32}$/.test(utk || "")) utk = hex(16);
  writeCookie(COOKIE, utk); // (re)set: the 13 months run from the last visit

  function allowed() {
    var consent = readCookie(CONSENT_COOKIE);
    if (consent === "declined" || consent === "revoked") return false;
    return !requireConsent || consent === "accepted";
  }

  function send(hit, always) {
    if (!always && !allowed()) return Promise.resolve(null);
    hit.siteKey = siteKey;
    hit.utk = utk;
    hit.hitId = hex(12);
    hit.url = hit.url || location.href;
    hit.occurredAt = Date.now();
    var body = JSON.stringify(hit);
    // text/plain: a "simple" request, no CORS preflight; keepalive survives navigation
    try {
      return fetch(endpoint, {
        method: "POST",
        body: body,
        keepalive: true,
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "text/plain" },
      }).catch(function () { return null; });
    } catch (e) {
      if (navigator.sendBeacon) navigator.sendBeacon(endpoint, body);
      return Promise.resolve(null);
    }
  }

  function pageView() {
    var type = (document.contentType || "text/html").toLowerCase();
    return send({
      type: "PAGE_VIEW",
      title: (document.title || "").slice(0, 512),
      referrer: (document.referrer || "").slice(0, 2048),
      download: type.indexOf("html") === -1,
    });
  }

  var seen = {};
  function ctaId(el) { return el.getAttribute("data-cta-id"); }
  function watchCtas() {
    var ctas = document.querySelectorAll("[data-cta-id]");
    var observer = "IntersectionObserver" in window
      ? new IntersectionObserver(function (entries) {
          entries.forEach(function (entry) {
            var id = ctaId(entry.target);
            if (entry.isIntersecting && !seen[id]) {
              seen[id] = true;
              send({ type: "CTA_VIEW", ctaId: id });
              observer.unobserve(entry.target);
            }
          });
        })
      : null;
    for (var i = 0; i < ctas.length; i++) {
      if (observer) observer.observe(ctas[i]);
      else if (!seen[ctaId(ctas[i])]) { seen[ctaId(ctas[i])] = true; send({ type: "CTA_VIEW", ctaId: ctaId(ctas[i]) }); }
    }
  }
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-cta-id]") : null;
    if (el) send({ type: "CTA_CLICK", ctaId: ctaId(el) });
    var banner = event.target && event.target.closest ? event.target.closest("[data-consent]") : null;
    if (banner) consent(banner.getAttribute("data-consent"), banner.getAttribute("data-privacy-name"));
  }, true);

  function consent(status, privacyName) {
    writeCookie(CONSENT_COOKIE, status);
    return send({ type: "CONSENT", consent: status, privacyName: privacyName || "cookies" }, true);
  }

  window.hstrack = {
    utk: utk,
    consent: consent,
    pageView: pageView,
    track: function (type, extra) { var hit = extra || {}; hit.type = type; return send(hit); },
  };
  function start() { pageView(); watchCtas(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
