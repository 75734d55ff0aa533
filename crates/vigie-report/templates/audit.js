(function () {
  "use strict";
  var table = document.getElementById("findings");
  var body = table.tBodies[0];
  var text = document.getElementById("filter-text");
  var severity = document.getElementById("filter-severity");
  var suppressed = document.getElementById("filter-suppressed");
  var count = document.getElementById("filter-count");
  function apply() {
    var needle = text.value.toLowerCase();
    var min = parseInt(severity.value, 10);
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = parseInt(row.getAttribute("data-rank"), 10) >= min &&
        (suppressed.checked || !row.hasAttribute("data-suppressed")) &&
        (needle === "" || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + body.rows.length + " shown";
  }
  function key(row, index, numeric) {
    var cell = row.cells[index];
    var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim().toLowerCase();
    return numeric ? parseFloat(value) : value;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.addEventListener("click", function () {
      var numeric = th.getAttribute("data-type") === "number";
      var ascending = !th.classList.contains("sorted-asc");
      Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(ascending ? "sorted-asc" : "sorted-desc");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, index, numeric), y = key(b, index, numeric);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  text.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  suppressed.addEventListener("change", apply);
  apply();
})();
