// Adds and removes rows of the household form. Rows are numbered fields (m0.name …);
// the server ignores rows left blank, so a removed row is simply emptied and hidden.
(function () {
  "use strict";
  var form = document.getElementById("household-form");
  if (!form) return;
  form.addEventListener("click", function (event) {
    var button = event.target;
    if (button.matches("button.add")) {
      var kind = button.getAttribute("data-add");
      var rows = document.getElementById(kind + "-rows");
      var template = document.getElementById(kind + "-template");
      var next = parseInt(rows.getAttribute("data-next") || "0", 10);
      var html = template.innerHTML.split("__i__").join(String(next));
      rows.insertAdjacentHTML("beforeend", html);
      rows.setAttribute("data-next", String(next + 1));
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
      if (first) first.focus();
    } else if (button.matches("button.remove")) {
      var row = button.closest("fieldset.row");
      row.querySelectorAll("input").forEach(function (input) {
        if (input.type === "checkbox") input.checked = false; else input.value = "";
      });
      row.hidden = true;
    }
  });
})();
