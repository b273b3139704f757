/*
 * Dash 4 renders dcc.RadioItems and dcc.Checklist as role="listbox" with role="option" labels
 * wrapped around native radio and checkbox inputs (the shared OptionsList of plotly/dash#3453).
 * Screen readers then announce a nameless listbox whose options hide the real controls, and
 * axe-core reports aria-input-field-name and nested-interactive (serious).
 *
 * Our pages put each of these groups in a <fieldset> with a <legend>: the native inputs already
 * carry the right name, role and state. So we drop the listbox/option roles (and the
 * aria-selected React keeps setting) every time Dash renders or updates such a list.
 */
(function () {
  "use strict";
  var LIST = ".dash-options-list[role='listbox']";
  var OPTION = ".dash-options-list .dash-options-list-option[role], .dash-options-list .dash-options-list-option[aria-selected]";

  function repair(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll(LIST).forEach(function (list) {
      list.removeAttribute("role");
      list.removeAttribute("aria-multiselectable");
    });
    root.querySelectorAll(OPTION).forEach(function (option) {
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
  }

  function start() {
    repair(document);
    new MutationObserver(function () { repair(document); }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["role", "aria-selected", "aria-multiselectable"]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
