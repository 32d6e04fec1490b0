// hirecrew's web UI: hash routes (#/projects/ID...), sign-in, and the shared page chrome.

import { api, token } from "./api.js";
import { h, field, replace, errorBox, describeError } from "./dom.js";
import { projectsView, projectView } from "./projects.js";
import { runView } from "./review.js";
import { candidatesView, candidateView } from "./candidates.js";
import { memoriesView } from "./memories.js";
import { auditView } from "./audit.js";
import { configView } from "./config.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
let current = null; // the AbortController of the view on screen
let signInMessage = "";
let firstPage = true; // on a fresh load, focus stays at the top (the skip link comes first)

const ROUTES = [
  [/^\/projects\/([\w-]+)\/audit$/, auditView, "projects"],
  [/^\/projects\/([\w-]+)$/, projectView, "projects"],
  [/^\/projects$/, projectsView, "projects"],
  [/^\/runs\/([\w-]+)$/, runView, "projects"],
  [/^\/candidates\/([\w-]+)$/, candidateView, "candidates"],
  [/^\/candidates$/, candidatesView, "candidates"],
  [/^\/memories$/, memoriesView, "memories"],
  [/^\/config$/, configView, "config"],
];

/** Say something to screen readers (and show it briefly). */
export function announce(message, tone = "info") {
  document.getElementById("announcer").textContent = message;
  const toast = h("div", { class: ["toast", `toast-${tone}`] }, message);
  replace(document.getElementById("toasts"), toast); // one at a time: the latest news
  setTimeout(() => toast.remove(), 4000);
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function signInView() {
  nav.hidden = true;
  document.title = "Sign in · hirecrew";
  const input = h("input", { type: "password", name: "token", autocomplete: "off", required: true, spellcheck: "false" });
  const status = h("div", { "aria-live": "polite" },
    signInMessage ? h("div", { class: "alert alert-error", role: "alert" }, h("p", {}, signInMessage)) : null);
  signInMessage = "";
  const button = h("button", { type: "submit", class: "button primary" }, "Sign in");
  const form = h("form", { class: "card signin", onsubmit: async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) {
      replace(status, h("div", { class: "alert alert-error", role: "alert" }, h("p", {}, "Enter your access token.")));
      input.focus();
      return;
    }
    button.disabled = true;
    token.set(value);
    try {
      let home = "#/projects";
      try {
        await api("GET", "/projects?limit=1", { quiet401: true });
      } catch (error) {
        if (error.status !== 403) throw error;
        home = "#/config"; // a configuration editor: a valid token, no projects of their own
      }
      const after = sessionStorage.getItem("hirecrew.after");
      const target = home === "#/config" ? home : after || home;
      sessionStorage.removeItem("hirecrew.after");
      go(target);
    } catch (error) {
      token.clear();
      const text = error.status === 401 ? "That token was not accepted: it is invalid or revoked." : describeError(error);
      replace(status, h("div", { class: "alert alert-error", role: "alert" }, h("p", {}, text)));
      input.focus();
    } finally {
      button.disabled = false;
    }
  } },
  h("h1", {}, "Sign in to hirecrew"),
  h("p", { class: "muted" }, "Use the access token you were given (`hirecrew users create`, or the demo token that `make run` prints)."),
  status,
  field("Access token", input),
  h("div", { class: "actions" }, button));
  replace(main, h("div", { class: "signin-wrap" }, form));
  input.focus();
}

async function render() {
  if (current) current.abort();
  current = new AbortController();
  const path = (location.hash || "#/projects").slice(1).split("?")[0] || "/projects";
  if (path === "/signin" || !token.get()) {
    if (path !== "/signin" && path !== "/") sessionStorage.setItem("hirecrew.after", `#${path}`);
    signInView();
    return;
  }
  nav.hidden = false;
  for (const [pattern, view, section] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    for (const link of nav.querySelectorAll("[data-nav]")) {
      if (link.dataset.nav === section) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const page = h("div", { class: "page" });
    replace(main, page);
    try {
      await view(page, { params: match.slice(1).map(decodeURIComponent), signal: current.signal });
    } catch (error) {
      if (error.name === "AbortError" || error.status === 401) return;
      replace(page, h("h1", { tabindex: "-1" }, "Something went wrong"), errorBox(error),
        h("p", {}, h("a", { href: "#/projects" }, "Back to projects")));
    }
    const heading = page.querySelector("h1");
    if (heading && !firstPage && !main.contains(document.activeElement)) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    document.title = `${heading ? heading.textContent : "hirecrew"} · hirecrew`;
    firstPage = false;
    return;
  }
  replace(main, h("div", { class: "page" }, h("h1", {}, "Page not found"),
    h("p", {}, h("a", { href: "#/projects" }, "Go to your projects"))));
}

window.addEventListener("hirecrew:unauthorized", (event) => {
  signInMessage = `You were signed out: ${event.detail || "your token is no longer accepted"}. Sign in again.`;
  if (location.hash.startsWith("#/") && location.hash !== "#/signin") sessionStorage.setItem("hirecrew.after", location.hash);
  if (location.hash !== "#/signin") location.hash = "#/signin";
  else render();
});
window.addEventListener("hashchange", render);
document.querySelector(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
document.getElementById("sign-out").addEventListener("click", () => {
  token.clear();
  signInMessage = "";
  go("#/signin");
});
render();
