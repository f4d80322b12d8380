// The upload job list (templates/uploads/_jobs.html) polls only while the tab is visible.

document.addEventListener("htmx:confirm", (event) => {
  const polled = event.target.closest("[data-poll-when-visible]");
  if (polled && event.detail.triggeringEvent?.type !== "uploads-changed" && document.visibilityState !== "visible") {
    event.preventDefault();
  }
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    document.body.dispatchEvent(new CustomEvent("uploads-changed", { bubbles: true }));
  }
});
