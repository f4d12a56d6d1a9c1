/* Worksome: a data-subject request's progress, without a reload.
 *
 * The request page works without this script (it shows the state it was
 * rendered with, and a link to reload). With it, the page asks its JSON
 * status ([data-dsr-status-url], the owner's only) every few seconds while
 * the export is queued or being built, and updates the status, the next
 * step, the progress bar and the download link in place. It stops when
 * nothing will change by itself any more, and slows down after errors.
 * Served from our own origin: the Content-Security-Policy allows 'self'.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-dsr-status-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-dsr-status-url");
  var delay = 2000;
  var maxDelay = 30000;

  function setText(selector, text) {
    var node = root.querySelector(selector);
    if (node && typeof text === "string" && node.textContent !== text) {
      node.textContent = text;
    }
  }

  function apply(state) {
    setText("[data-dsr-status]", state.status_label);
    var status = root.querySelector("[data-dsr-status]");
    if (status) {
      status.setAttribute("data-status", state.status);
    }
    setText("[data-dsr-next]", state.next_step);
    var exp = state.export;
    var phase = exp ? exp.phase : "";
    root.setAttribute("data-dsr-phase", phase);
    var bar = root.querySelector("[data-dsr-progress]");
    if (bar) {
      if (exp && (phase === "queued" || phase === "building")) {
        bar.hidden = false;
        bar.value = exp.progress;
        bar.textContent = exp.progress + "%";
      } else {
        bar.hidden = true;
      }
    }
    var link = root.querySelector("[data-dsr-download]");
    if (link) {
      if (exp && exp.download_url) {
        link.setAttribute("href", exp.download_url);
        link.hidden = false;
      } else {
        link.hidden = true;
      }
    }
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url, true);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      var state = null;
      if (request.status === 200) {
        try {
          state = JSON.parse(request.responseText);
        } catch (error) {
          state = null;
        }
      }
      if (!state) {
        delay = Math.min(delay * 2, maxDelay);
        window.setTimeout(poll, delay);
        return;
      }
      apply(state);
      if (!state.final) {
        window.setTimeout(poll, delay);
      }
    };
    request.onerror = function () {
      delay = Math.min(delay * 2, maxDelay);
      window.setTimeout(poll, delay);
    };
    request.send();
  }

  if (root.getAttribute("data-dsr-final") !== "true") {
    window.setTimeout(poll, delay);
  }
})();
