// IdeaHub's small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  function showAlert(html) {
    var box = document.getElementById("alerts");
    if (!box) return;
    box.innerHTML = "";
    var holder = document.createElement("div");
    holder.innerHTML = html;
    // Keep only the text: an error page must never inject markup into this one.
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = holder.textContent.trim().replace(/\s+/g, " ");
    box.appendChild(p);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = xhr && xhr.responseText ? xhr.responseText : "";
    var doc = new DOMParser().parseFromString(text, "text/html");
    var message = doc.querySelector(".flash-error, .error-page");
    showAlert(message ? message.textContent : "The request failed (" + (xhr ? xhr.status : "?") + "). Please try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    showAlert("The server could not be reached. Check your connection and try again.");
  });

  // A form with data-confirm asks first (ending a CoE term); without JavaScript it does not.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Back and Forward bring back htmx's snapshot of a page, whose filter controls show the
  // values they were first rendered with, not the restored list's: set them from the
  // restored address (a control it does not name takes its first choice, or empty).
  document.addEventListener("htmx:historyRestore", function () {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form.filters").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (control) {
        if (!control.name || control.type === "submit" || control.type === "hidden") return;
        var first = control.tagName === "SELECT" && control.options.length ? control.options[0].value : "";
        control.value = params.has(control.name) ? params.get(control.name) : first;
      });
    });
  });

  // A saved inline edit gives the keyboard back to its comment (the swap left it nowhere).
  var edited = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    edited = target && target.matches && target.matches("form.edit-comment") ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var comment = edited && document.getElementById(edited);
    edited = null;
    if (!comment || comment.matches("form")) return;  // refused: the form again, its box focused
    comment.setAttribute("tabindex", "-1");
    comment.focus();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var box = document.getElementById("alerts");
      if (box) box.innerHTML = "";
    }
  });
})();
