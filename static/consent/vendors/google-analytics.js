/* Google Analytics 4, loaded only once the analytics group is accepted. */
(function () {
  "use strict";
  var script = document.currentScript;
  var id = script && script.dataset.measurementId;
  if (!id || window.__worksomeGoogleAnalytics) {
    return;
  }
  window.__worksomeGoogleAnalytics = true;
  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== "function") {
    window.gtag = function () {
      window.dataLayer.push(arguments);
    };
    window.gtag("consent", "default", {
      ad_storage: "denied",
      ad_user_data: "denied",
      ad_personalization: "denied",
      analytics_storage: "denied",
    });
  }
  window["ga-disable-" + id] = false;
  // The signals the analytics group grants (consent/catalogue.py).
  var update = {};
  try {
    update = JSON.parse(script.dataset.consentUpdate || "{}") || {};
  } catch (error) {
    update = {};
  }
  window.gtag("consent", "update", update);
  window.gtag("js", new Date());
  window.gtag("config", id);
  var tag = document.createElement("script");
  tag.async = true;
  tag.src = "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(id);
  document.head.appendChild(tag);
})();
