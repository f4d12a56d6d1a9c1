// The directory's competence field suggests names as you type: a native
// <datalist> filled from /skills/suggest/?q= (our own endpoint, public data
// only). No library, no CDN; without JavaScript the field is a plain text box.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var url = input.getAttribute("data-suggest-url");
  var timer = null;
  var last = "";
  function fill(names) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    });
  }
  function ask() {
    var prefix = input.value.trim();
    if (prefix === last) { return; }
    last = prefix;
    if (!prefix) { fill([]); return; }
    fetch(url + "?q=" + encodeURIComponent(prefix), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { skills: [] };
    }).then(function (data) {
      if (input.value.trim() === prefix) { fill(data.skills || []); }
    }).catch(function () { /* suggestions are a convenience */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
})();
