// On a phone a table becomes a pile of cards, one per row (issue 16): each cell is then
// labelled with its column's heading, read here from the table's header row, since the
// heading row itself is hidden in that layout. Nothing changes on a wider screen.
document.querySelectorAll("table").forEach(function (table) {
  var headRow = table.querySelector("thead tr") || table.querySelector("tr");
  if (!headRow) { return; }
  var headings = Array.prototype.map.call(headRow.children, function (cell) {
    return cell.tagName === "TH" ? cell.textContent.trim() : "";
  });
  if (headings.every(function (h) { return h === ""; })) { return; }
  table.classList.add("has-headings");
  table.querySelectorAll("tr").forEach(function (row) {
    if (row === headRow) { row.classList.add("heading-row"); return; }
    Array.prototype.forEach.call(row.children, function (cell, i) {
      if (headings[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", headings[i]); }
    });
  });
});
