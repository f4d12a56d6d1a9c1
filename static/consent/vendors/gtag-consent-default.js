/* Google Consent Mode v2: everything denied by default, before any Google tag
 * loads; the page's current choices (rendered by the server) update it. */
(function () {
  "use strict";
  var script = document.currentScript;
  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== "function") {
    window.gtag = function () {
      window.dataLayer.push(arguments);
    };
  }
  window.gtag("consent", "default", {
    ad_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
    analytics_storage: "denied",
  });
  var analytics = script && script.dataset.analytics === "granted";
  var marketing = script && script.dataset.marketing === "granted";
  if (analytics || marketing) {
    var update = {};
    if (analytics) {
      update.analytics_storage = "granted";
    }
    if (marketing) {
      update.ad_storage = "granted";
      update.ad_user_data = "granted";
      update.ad_personalization = "granted";
    }
    window.gtag("consent", "update", update);
  }
})();
