// Meet pages: show the server's refusal (403/409/422 alert fragment) where HTMX would
// otherwise drop it, so a failed save or request is said, not silently ignored.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
