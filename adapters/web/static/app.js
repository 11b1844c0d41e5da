// Progressive enhancement only: every page works without script.
// On the work queue, a box in the header ticks every row.
document.addEventListener("DOMContentLoaded", function () {
  var head = document.querySelector("table.worklist th.tick");
  if (!head) return;
  var all = document.createElement("input");
  all.type = "checkbox";
  all.setAttribute("aria-label", "Tick every item on this page");
  head.appendChild(all);
  all.addEventListener("change", function () {
    document.querySelectorAll('table.worklist input[name="item"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
