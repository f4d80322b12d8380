// Behaviour shared by every page: storage gauge width and <dialog> modals. No inline scripts (CSP).
import { alertError } from "./alerts.js";

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
// A request htmx does not swap (403, 404, 5xx, no network) still tells the user: the server's own sentence when it
// sends one (text/plain, see mapflow_web/errors.py), in the open dialog if the request came from one, else in the
// alerts region (alerts.js).
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const reasons = { 403: "You are not allowed to do this", 404: "This no longer exists" };
  const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain") && xhr.responseText;
  const text = plain || `${reasons[xhr.status] || "The server failed to do this"} (HTTP ${xhr.status}).`;
  const dialog = event.detail.elt.closest?.("dialog[open]") || event.detail.target?.closest?.("dialog[open]");
  if (dialog) {
    const message = document.createElement("p");
    message.className = "alert alert-danger py-2 mb-0";
    message.setAttribute("role", "alert");
    message.textContent = text;
    const form = dialog.querySelector("#dialog-form");
    if (form) form.replaceChildren(message);
    else dialog.prepend(message);
    return;
  }
  alertError(text);
});
document.addEventListener("htmx:sendError", () => alertError("The server cannot be reached; check your connection."));
document.addEventListener("htmx:afterSwap", (event) => drawGauges(event.target));
document.addEventListener("htmx:oobAfterSwap", (event) => drawGauges(event.detail.target));
drawGauges(document);
