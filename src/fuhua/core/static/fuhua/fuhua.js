// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  // Out-of-scope or forbidden responses during live search: fall back to a full page load.
  if (event.detail.xhr.status >= 400) { window.location.assign(event.detail.pathInfo.requestPath); }
});
