// Behaviour shared by every page: storage gauge width and <dialog> modals. No inline scripts (CSP).

function drawGauges(root) {
  for (const bar of root.querySelectorAll(".progress-bar[data-percent]")) {
    bar.style.width = `${bar.dataset.percent}%`;
  }
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog-open]");
  if (opener) document.getElementById(opener.dataset.dialogOpen)?.showModal();
  const closer = event.target.closest("[data-dialog-close]");
  if (closer) closer.closest("dialog")?.close();
});

// A form in a modal closes it once its request has succeeded; one answered with its validation errors (400/422,
// which htmx swaps in place) keeps it open.
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.successful && event.detail.xhr.status < 400) event.target.closest("dialog")?.close();
});
// A request htmx does not swap (403, 404, 5xx, no network) still tells the user in the alerts region.
function alertError(text) {
  const alert = document.createElement("div");
  alert.className = "alert alert-danger py-2";
  alert.setAttribute("role", "alert");
  alert.textContent = text;
  document.getElementById("alerts")?.append(alert);
}
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const reasons = { 403: "You are not allowed to do this", 404: "This no longer exists" };
  alertError(`${reasons[status] || "The server failed to do this"} (HTTP ${status}).`);
});
document.addEventListener("htmx:sendError", () => alertError("The server cannot be reached; check your connection."));
document.addEventListener("htmx:afterSwap", (event) => drawGauges(event.target));
drawGauges(document);
