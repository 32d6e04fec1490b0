// Modal confirmations on the page's one <dialog>: nothing is sent, scheduled or erased
// before the recruiter says so here. Escape or "Cancel" answers no.

import { field, h, replace } from "./dom.js";

function open(build) {
  const dialog = document.getElementById("dialog");
  const opener = document.activeElement;
  return new Promise((resolve) => {
    let answer = null;
    const close = (value) => {
      answer = value;
      dialog.close();
    };
    replace(dialog, build(close));
    dialog.addEventListener("close", () => {
      replace(dialog);
      if (opener && opener.isConnected) opener.focus();
      resolve(answer);
    }, { once: true });
    dialog.showModal();
    const first = dialog.querySelector("[autofocus], textarea, input, button.primary");
    if (first) first.focus();
  });
}

/** Ask yes or no; resolves true only on the explicit confirm button. */
export function confirmDialog({ title, message, confirmLabel = "Confirm", danger = false, details }) {
  return open((close) => h("form", { method: "dialog", class: "dialog-body", onsubmit: (e) => { e.preventDefault(); close(true); } },
    h("h2", { id: "dialog-title" }, title),
    h("p", {}, message),
    details || null,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button ghost", onclick: () => close(false) }, "Cancel"),
      h("button", { type: "submit", class: ["button", danger ? "danger" : "primary"] }, confirmLabel)),
  )).then((value) => value === true);
}

/** Ask for a text (a reason); resolves the trimmed text, or null when cancelled. */
export function promptDialog({ title, message, label, confirmLabel = "Send", danger = false, required = true }) {
  return open((close) => {
    const input = h("textarea", { rows: 4, required, maxlength: 2000, autofocus: true });
    const error = h("p", { class: "field-error", role: "alert" });
    return h("form", { class: "dialog-body", onsubmit: (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (required && !text) {
        error.textContent = "Please give a reason.";
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      close(text);
    } },
    h("h2", { id: "dialog-title" }, title),
    message ? h("p", {}, message) : null,
    field(label, input),
    error,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button ghost", onclick: () => close(null) }, "Cancel"),
      h("button", { type: "submit", class: ["button", danger ? "danger" : "primary"] }, confirmLabel)));
  });
}
