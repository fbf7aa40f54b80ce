// Print buttons (no inline handlers: the pages' CSP allows only the tool's own scripts).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
// Selection forms submit as soon as a choice changes; the submit button stays for keyboards.
document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
