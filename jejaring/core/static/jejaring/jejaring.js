// Keep the section menu open on wide screens; on phones it folds behind "Menu".
(function () {
  var wide = window.matchMedia("(min-width: 900px)");
  function sync() {
    document.querySelectorAll("details.menu").forEach(function (d) { d.open = wide.matches; });
  }
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();

// Behaviour that used to sit in on*="" attributes: the Content-Security-Policy allows
// no inline script, so pages mark elements with data-* attributes instead.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});

// Logging out locks the field page's drafts on this phone: the key they are encrypted
// with lives in this tab's session storage only (jejaring/field/static/field/field.js).
document.addEventListener("submit", function (event) {
  if (event.target.matches && event.target.matches("form[data-logout]")) {
    try { sessionStorage.removeItem("jejaring-field-key"); } catch (error) { /* storage off */ }
  }
});
