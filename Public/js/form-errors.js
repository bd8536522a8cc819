// A refused form (issue 16): each problem the server names is shown again next to its
// field, and the summary at the top links to the fields, so a person sees where to correct
// without reading the list against the form. A field is found by data-refusal-field (where
// the rule names the field differently from the form), by its name, or by its id; a rule's
// path into a household (`members[0].id_number`) is the form's `m0.id_number`.
(function () {
  function formName(field) {
    return field.replace(/^members\[(\d+)\]\./, "m$1.").replace(/^supporters\[(\d+)\]\./, "s$1.").replace(/^assets\[(\d+)\]\./, "a$1.");
  }
  var box = document.getElementById("problems");
  if (!box) { return; }
  box.querySelectorAll("[data-field]").forEach(function (item, n) {
    var field = item.getAttribute("data-field");
    if (!field) { return; }
    var input = document.querySelector('[data-refusal-field~="' + field + '"]') ||
      document.querySelector('form [name="' + field + '"]') || document.querySelector('form [name="' + formName(field) + '"]') ||
      document.getElementById(field);
    if (!input || input.type === "hidden") { return; }
    if (!input.id) { input.id = "field-" + n; }
    input.setAttribute("aria-invalid", "true");
    var note = document.createElement("span");
    note.className = "field-error";
    note.id = input.id + "-error";
    note.textContent = item.textContent;
    input.setAttribute("aria-describedby", note.id);
    var label = input.closest("label");
    if (label) { label.appendChild(note); } else { input.insertAdjacentElement("afterend", note); }
    var link = document.createElement("a");
    link.href = "#" + input.id;
    link.textContent = item.textContent;
    item.textContent = "";
    item.appendChild(link);
  });
})();
