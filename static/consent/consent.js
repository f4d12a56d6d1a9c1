/* Worksome cookie consent.
 *
 * The banner and the cookie settings page are plain POST forms that work
 * without this script. With it, a choice is posted in the background and
 * applied at once: withdrawn groups are revoked and their first-party cookies
 * expired. A newly accepted group with trackers reloads the page, because the
 * Content-Security-Policy of a page served before consent does not allow the
 * vendors' hosts (the reloaded page's does, and renders the trackers).
 */
(function () {
  "use strict";

  var config = { choices: {}, messages: {} };

  function readConfig() {
    var node = document.getElementById("consent-config");
    if (node) {
      try {
        config = JSON.parse(node.textContent) || config;
      } catch (error) {
        /* keep the defaults */
      }
    }
    config.choices = config.choices || {};
    config.messages = config.messages || {};
  }

  function gtagUpdate(values) {
    if (typeof window.gtag === "function") {
      window.gtag("consent", "update", values);
    }
  }

  var ADS = { ad_storage: "", ad_user_data: "", ad_personalization: "" };

  function adsConsent(state) {
    var values = {};
    Object.keys(ADS).forEach(function (key) {
      values[key] = state;
    });
    return values;
  }

  function activate(varname) {
    if (varname === "analytics") {
      if (config.gaMeasurementId) {
        window["ga-disable-" + config.gaMeasurementId] = false;
      }
      gtagUpdate({ analytics_storage: "granted" });
    }
    if (varname === "marketing") {
      gtagUpdate(adsConsent("granted"));
      if (typeof window.fbq === "function") {
        window.fbq("consent", "grant");
      }
    }
    var selector = 'template[data-consent-group="' + varname + '"]';
    document.querySelectorAll(selector).forEach(function (template) {
      template.content.querySelectorAll("script").forEach(function (original) {
        // A fresh element: scripts cloned from a template may not run.
        var script = document.createElement("script");
        Array.prototype.forEach.call(original.attributes, function (attribute) {
          script.setAttribute(attribute.name, attribute.value);
        });
        script.async = false;
        document.body.appendChild(script);
      });
      template.remove();
    });
  }

  function deactivate(varname) {
    if (varname === "analytics") {
      gtagUpdate({ analytics_storage: "denied" });
      if (config.gaMeasurementId) {
        window["ga-disable-" + config.gaMeasurementId] = true;
      }
    }
    if (varname === "marketing") {
      gtagUpdate(adsConsent("denied"));
      if (typeof window.fbq === "function") {
        window.fbq("consent", "revoke");
      }
    }
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function matches(pattern, name) {
    if (pattern.indexOf("*") === -1) {
      return pattern === name;
    }
    var parts = pattern.split("*").map(escapeRegExp);
    return new RegExp("^" + parts.join(".*") + "$").test(name);
  }

  // The server expires them too (Max-Age=0); from here the copies set on a
  // parent domain (e.g. .example.com by a tracker) go as well.
  function expireCookies(patterns) {
    if (!patterns || !patterns.length) {
      return;
    }
    var labels = window.location.hostname.split(".");
    var domains = [""];
    for (var i = 0; i < labels.length - 1; i += 1) {
      domains.push("; domain=." + labels.slice(i).join("."));
    }
    document.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (!name || !patterns.some(function (p) { return matches(p, name); })) {
        return;
      }
      domains.forEach(function (domain) {
        document.cookie = name + "=; Max-Age=0; path=/" + domain;
      });
    });
  }

  function apply(result) {
    var before = config.choices;
    var after = result.choices || {};
    Object.keys(after).forEach(function (varname) {
      if (after[varname] === true) {
        if (before[varname] !== true) {
          activate(varname);
        }
      } else {
        deactivate(varname);
      }
    });
    expireCookies(result.expire_patterns);
    config.choices = after;
    updateSettings(after);
    if (result.csrftoken) {
      document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
        input.value = result.csrftoken;
      });
    }
  }

  function needsReload(result) {
    var after = result.choices || {};
    return Object.keys(after).some(function (varname) {
      return (
        after[varname] === true &&
        config.choices[varname] !== true &&
        document.querySelector('template[data-consent-group="' + varname + '"]') !== null
      );
    });
  }

  function updateSettings(choices) {
    Object.keys(choices).forEach(function (varname) {
      var toggle = document.getElementById("cookie-settings-" + varname);
      if (toggle) {
        toggle.checked = choices[varname] === true;
      }
      var state = document.querySelector('[data-consent-state="' + varname + '"]');
      if (state) {
        state.textContent = choices[varname] === true
          ? config.messages.accepted || "Your choice: accepted"
          : config.messages.rejected || "Your choice: rejected";
      }
    });
  }

  function announce(text) {
    var live = document.getElementById("consent-status") || document.getElementById("consent-live");
    if (live) {
      live.textContent = text;
    }
  }

  function closeBanner() {
    var banners = document.querySelectorAll("[data-consent-banner]");
    if (!banners.length) {
      return false;
    }
    banners.forEach(function (node) {
      node.remove();
    });
    return true;
  }

  function submit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-consent-form")) {
      return;
    }
    if (!window.fetch || !window.FormData) {
      return;
    }
    event.preventDefault();
    window
      .fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Cookie-Consent-Fetch": "1", Accept: "application/json" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("consent: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (result) {
        if (needsReload(result)) {
          // This page's Content-Security-Policy was sent before consent and
          // does not allow the vendors' hosts; the reloaded page's does.
          window.location.reload();
          return;
        }
        apply(result);
        var closed = closeBanner();
        announce(config.messages.saved || "Your cookie choices are saved.");
        var status = document.getElementById("consent-status");
        // No focus left behind in a removed banner.
        var target = status || (closed ? document.getElementById("main") : null);
        if (target) {
          target.focus();
        }
      })
      .catch(function () {
        // Let the browser post the form itself; the server answers as usual.
        form.submit();
      });
  }

  function start() {
    readConfig();
    document.addEventListener("submit", submit);
    var banner = document.getElementById("consent-banner");
    if (banner && document.activeElement === document.body) {
      banner.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
