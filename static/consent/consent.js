/* Worksome cookie consent.
 *
 * The banner and the cookie settings page are plain POST forms that work
 * without this script. With it, a choice is posted in the background and
 * applied at once: withdrawn groups are revoked and their first-party cookies
 * expired. A newly accepted group with trackers reloads the page, because the
 * Content-Security-Policy of a page served before consent does not allow the
 * vendors' hosts (the reloaded page's does, and renders the trackers).
 *
 * Withdrawal stops the group's trackers at once (Consent Mode signals denied,
 * Meta's pixel revoked, X's pixel removed: it has no revoke call) and removes
 * every catalogued cookie on every domain and path variant this page can
 * reach, and the vendors' localStorage/sessionStorage keys.
 *
 * The "Cookie settings" control on every page ([data-consent-open]) opens the
 * banner's choice layer in place.
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

  // Consent Mode signals of one group, from the server's single mapping.
  function signals(varname, state) {
    var mapping = config.consentMode || {};
    var values = {};
    Object.keys(mapping).forEach(function (signal) {
      if (mapping[signal] === varname) {
        values[signal] = state;
      }
    });
    return values;
  }

  function consentUpdate(varname, state) {
    var values = signals(varname, state);
    if (Object.keys(values).length) {
      gtagUpdate(values);
    }
  }

  // X's pixel has no revoke call: drop its queue, its function and its
  // scripts, so nothing more is sent from this page.
  function stopXPixel() {
    if (window.twq) {
      if (window.twq.queue) {
        window.twq.queue.length = 0;
      }
      window.twq = undefined;
      try {
        delete window.twq;
      } catch (error) {
        /* window.twq stays undefined */
      }
    }
    document
      .querySelectorAll('script[src*="ads-twitter.com"], script[src*="x-pixel.js"]')
      .forEach(function (node) {
        node.remove();
      });
  }

  function activate(varname) {
    if (varname === "analytics") {
      if (config.gaMeasurementId) {
        window["ga-disable-" + config.gaMeasurementId] = false;
      }
    }
    consentUpdate(varname, "granted");
    if (varname === "marketing") {
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
    consentUpdate(varname, "denied");
    if (varname === "analytics") {
      if (config.gaMeasurementId) {
        window["ga-disable-" + config.gaMeasurementId] = true;
      }
    }
    if (varname === "marketing") {
      if (typeof window.fbq === "function") {
        window.fbq("consent", "revoke");
      }
      stopXPixel();
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

  // The server expires one copy of each (Max-Age=0); from here every copy
  // this page can see goes: host-only and on each parent domain (e.g.
  // .example.com, where trackers set theirs), on "/" and on each prefix of
  // this page's path. A cookie still listed after all that is one this page
  // cannot reach (another path).
  function expireCookies(patterns) {
    if (!patterns || !patterns.length) {
      return;
    }
    var labels = window.location.hostname.split(".");
    var domains = [""];
    for (var i = 0; i < labels.length - 1; i += 1) {
      domains.push("; domain=." + labels.slice(i).join("."));
      domains.push("; domain=" + labels.slice(i).join("."));
    }
    var paths = ["/"];
    var segments = window.location.pathname.split("/");
    for (var j = 2; j <= segments.length; j += 1) {
      var prefix = segments.slice(0, j).join("/");
      if (prefix && paths.indexOf(prefix) === -1) {
        paths.push(prefix);
      }
      if (prefix && paths.indexOf(prefix + "/") === -1) {
        paths.push(prefix + "/");
      }
    }
    var expires = "=; Max-Age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=";
    for (var round = 0; round < 3; round += 1) {
      // Several copies of one name can exist; each pass removes what it sees.
      document.cookie.split(";").forEach(function (pair) {
        var name = pair.split("=")[0].trim();
        if (!name || !patterns.some(function (p) { return matches(p, name); })) {
          return;
        }
        paths.forEach(function (path) {
          domains.forEach(function (domain) {
            document.cookie = name + expires + path + domain;
          });
        });
      });
    }
  }

  function removeStorage(patterns) {
    if (!patterns) {
      return;
    }
    ["localStorage", "sessionStorage"].forEach(function (area) {
      var keys = patterns[area] || [];
      var storage;
      try {
        storage = window[area];
      } catch (error) {
        return; // storage blocked by the browser: nothing to remove
      }
      if (!keys.length || !storage) {
        return;
      }
      var found = [];
      for (var i = 0; i < storage.length; i += 1) {
        found.push(storage.key(i));
      }
      found.forEach(function (key) {
        if (keys.some(function (p) { return matches(p, key); })) {
          storage.removeItem(key);
        }
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
    removeStorage(result.storage_patterns);
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
      ["cookie-settings-", "consent-banner-"].forEach(function (prefix) {
        var toggle = document.getElementById(prefix + varname);
        if (toggle) {
          toggle.checked = choices[varname] === true;
        }
      });
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

  var opener = null;

  // Hidden, not removed: the "Cookie settings" control opens it again.
  function closeBanner() {
    var banner = document.getElementById("consent-banner");
    if (!banner || banner.hidden) {
      return false;
    }
    banner.hidden = true;
    var choose = banner.querySelector("[data-consent-choose]");
    if (choose) {
      choose.open = false;
    }
    document.querySelectorAll("[data-consent-open]").forEach(function (control) {
      control.setAttribute("aria-expanded", "false");
    });
    return true;
  }

  function openChoices(event) {
    var control = event.target.closest && event.target.closest("[data-consent-open]");
    if (!control) {
      return;
    }
    var banner = document.getElementById("consent-banner");
    if (!banner) {
      return; // e.g. on /cookies/ itself: the link goes there
    }
    event.preventDefault();
    opener = control;
    updateSettings(config.choices);
    banner.hidden = false;
    var choose = banner.querySelector("[data-consent-choose]");
    if (choose) {
      choose.open = true;
    }
    control.setAttribute("aria-expanded", "true");
    banner.scrollIntoView({ block: "start" });
    banner.focus();
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
        // No focus left behind in a hidden banner: back to the control that
        // opened it, else to the page's content.
        var target =
          status || (closed ? opener || document.getElementById("main") : null);
        opener = null;
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
    document.addEventListener("click", openChoices);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
