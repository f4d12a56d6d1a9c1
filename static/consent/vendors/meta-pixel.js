/* Meta (Facebook/Instagram) pixel, loaded only once marketing is accepted.
 * Consent is revoked before init and granted after, so nothing is sent
 * without it even if this file were ever loaded on its own. */
(function () {
  "use strict";
  var script = document.currentScript;
  var id = script && script.dataset.pixelId;
  if (!id || window.__worksomeMetaPixel) {
    return;
  }
  window.__worksomeMetaPixel = true;
  if (!window.fbq) {
    var fbq = function () {
      if (fbq.callMethod) {
        fbq.callMethod.apply(fbq, arguments);
      } else {
        fbq.queue.push(arguments);
      }
    };
    window.fbq = fbq;
    if (!window._fbq) {
      window._fbq = fbq;
    }
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = "2.0";
    fbq.queue = [];
    var tag = document.createElement("script");
    tag.async = true;
    tag.src = "https://connect.facebook.net/en_US/fbevents.js";
    document.head.appendChild(tag);
  }
  window.fbq("consent", "revoke");
  window.fbq("init", id);
  window.fbq("consent", "grant");
  window.fbq("track", "PageView");
})();
