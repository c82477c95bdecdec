// The buyer key page's only script (served from this origin; the page's CSP allows nothing else).
// Without it the codes stay selectable text; with it each code gets a working "Copy" button.
(function () {
  "use strict";
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  function fallbackCopy(el) {
    selectText(el);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }
  function copied(button) {
    button.textContent = button.getAttribute("data-copied");
    button.classList.add("is-copied");
    button.setAttribute("data-state", "copied");
    clearTimeout(button._keyrelayTimer);
    button._keyrelayTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
      button.classList.remove("is-copied");
      button.removeAttribute("data-state");
    }, 2500);
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i++) {
    (function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(
            function () {
              copied(button);
            },
            function () {
              if (fallbackCopy(target)) copied(button);
            },
          );
        } else if (fallbackCopy(target)) {
          copied(button);
        } else {
          selectText(target);
        }
      });
    })(buttons[i]);
  }
})();
