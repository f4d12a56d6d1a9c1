/* Google Consent Mode v2: every signal denied by default, before any Google
 * tag loads; then the signals of the groups this page's visitor accepted.
 * Both come from the server, which reads them from one mapping
 * (consent/catalogue.py, CONSENT_MODE_SIGNALS). */
(function () {
  "use strict";
  var script = document.currentScript;
  function read(name) {
    try {
      return JSON.parse((script && script.getAttribute(name)) || "{}") || {};
    } catch (error) {
      return {};
    }
  }
  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== "function") {
    window.gtag = function () {
      window.dataLayer.push(arguments);
    };
  }
  window.gtag("consent", "default", read("data-defaults"));
  var update = read("data-update");
  if (Object.keys(update).length) {
    window.gtag("consent", "update", update);
  }
})();
