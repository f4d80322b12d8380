// Messages in the page's alerts region (a live region), for what a request could not do; an alert already there is
// not added again (a polled part that keeps failing does not stack the same alert).
export function alertError(text) {
  const region = document.getElementById("alerts");
  if (!region || [...region.querySelectorAll(".alert-danger")].some((alert) => alert.textContent === text)) return;
  const alert = document.createElement("div");
  alert.className = "alert alert-danger py-2";
  alert.setAttribute("role", "alert");
  alert.textContent = text;
  region.append(alert);
}
