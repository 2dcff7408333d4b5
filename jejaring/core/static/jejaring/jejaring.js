// Keep the section menu open on wide screens; on phones it folds behind "Menu".
(function () {
  var wide = window.matchMedia("(min-width: 900px)");
  function sync() {
    document.querySelectorAll("details.menu").forEach(function (d) { d.open = wide.matches; });
  }
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();
