// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  // Out-of-scope or forbidden responses during live search: fall back to a full page load.
  if (event.detail.xhr.status >= 400) { window.location.assign(event.detail.pathInfo.requestPath); }
});

// Irreversible actions ask first: a form (or a button in it) with data-confirm="…" submits only when
// the person confirms. Without JavaScript the server-side confirmation pages still apply.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
}, true);
// One open menu at a time in the top bar; a click elsewhere closes it.
document.addEventListener("click", function (event) {
  document.querySelectorAll(".navgroup details[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
// Autocomplete (core/autocomplete.py): picking an option fills the hidden value and the visible text;
// typing again clears the value until an option is picked, so a half-typed name is never submitted.
document.addEventListener("click", function (event) {
  var option = event.target.closest(".autocomplete-options button[data-value]");
  if (!option) { return; }
  var box = option.closest("[data-autocomplete]");
  box.querySelector("[data-autocomplete-value]").value = option.dataset.value;
  box.querySelector("[data-autocomplete-input]").value = option.textContent;
  box.querySelector(".autocomplete-options").innerHTML = "";
  box.dataset.picked = "1";
});
document.addEventListener("input", function (event) {
  if (event.target.matches("[data-autocomplete-input]")) {
    var box = event.target.closest("[data-autocomplete]");
    box.querySelector("[data-autocomplete-value]").value = "";
    delete box.dataset.picked;
  }
});
// A search answered after an option was picked (typed, then picked before the delayed request returned) is
// stale: it must not reopen the list over the form.
document.addEventListener("htmx:beforeSwap", function (event) {
  var box = event.detail.target && event.detail.target.closest && event.detail.target.closest("[data-autocomplete]");
  if (box && box.dataset.picked) { event.detail.shouldSwap = false; }
});
