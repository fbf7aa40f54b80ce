// Print buttons (no inline handlers: the pages' CSP allows only the tool's own scripts).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
// Selection forms do not submit on change (WCAG 3.2.2): the user presses "Tonen".
