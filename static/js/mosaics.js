// The mosaic dialogs: one <dialog> whose form is loaded by htmx (frame.js closes it once a change succeeded).
import { DIALOG_ID } from "./mosaic-names.js";

// The first field of a form just loaded into the dialog gets the focus.
document.addEventListener("htmx:afterSwap", (event) => {
  const dialog = document.getElementById(DIALOG_ID);
  if (!dialog?.contains(event.detail.elt)) return;
  dialog.querySelector("[aria-invalid=true], input:not([type=hidden])")?.focus();
});

// A closed dialog forgets its form, so that the next one opens clean.
document.getElementById(DIALOG_ID)?.addEventListener("close", (event) => {
  const form = event.target.querySelector("#dialog-form");
  if (form) form.outerHTML = '<form id="dialog-form"><p class="mb-0">Loading…</p></form>';
});
