/* X (Twitter) pixel, loaded only once marketing is accepted. */
(function () {
  "use strict";
  var script = document.currentScript;
  var id = script && script.dataset.pixelId;
  if (!id || window.__worksomeXPixel) {
    return;
  }
  window.__worksomeXPixel = true;
  if (!window.twq) {
    var twq = function () {
      if (twq.exe) {
        twq.exe.apply(twq, arguments);
      } else {
        twq.queue.push(arguments);
      }
    };
    twq.version = "1.1";
    twq.queue = [];
    window.twq = twq;
    var tag = document.createElement("script");
    tag.async = true;
    tag.src = "https://static.ads-twitter.com/uwt.js";
    document.head.appendChild(tag);
  }
  window.twq("config", id);
})();
