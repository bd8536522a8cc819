// Print buttons: bound here, not inline, because the pages' Content-Security-Policy allows
// scripts from this site only (no inline handlers).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
