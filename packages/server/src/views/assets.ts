/**
 * The console's only static files: one stylesheet and one script, served by the
 * app itself (no CDN, works air-gapped); the path carries a content hash so
 * browsers may cache them for good. The stylesheet is `assets/console.css` of
 * this package, read once at start-up and found through the package's own export
 * (the same from source, from dist and from the CLI's bundle, whose code lives
 * in another folder).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const CSS = readFileSync(new URL(import.meta.resolve("@mde-partner/server/assets/console.css")), "utf8");

// Two behaviours, both progressive: a copy button (the link is also in a
// read-only field to select by hand) and live status of a response action
// (polls the JSON API until the action is final; the page also has a refresh link).
const JS = `
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  var done = function () { var t = button.textContent; button.textContent = "Copied"; setTimeout(function () { button.textContent = t; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
  else { field.select(); try { document.execCommand("copy"); done(); } catch (e) {} }
});
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-poll]");
  if (!box) return;
  var url = box.getAttribute("data-poll");
  var interval = Number(box.getAttribute("data-interval") || "1000");
  var tick = function () {
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      var a = data.action || {};
      box.querySelectorAll("[data-field]").forEach(function (el) {
        var v = a[el.getAttribute("data-field")];
        el.textContent = v === null || v === undefined || v === "" ? "—" : String(v);
      });
      box.setAttribute("data-status", a.status || "");
      if (data.final) { box.setAttribute("data-final", "true"); if (box.hasAttribute("data-reload-when-final")) location.reload(); return; }
      setTimeout(tick, interval);
    }).catch(function (e) {
      var err = box.querySelector("[data-error]");
      if (err) err.textContent = "Could not refresh: " + e.message + " (retrying)";
      setTimeout(tick, interval * 3);
    });
  };
  setTimeout(tick, interval);
});
`;

const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** URL paths of the static files (content-hashed). */
export const ASSET_PATHS = Object.freeze({ css: `/static/console.${hash(CSS)}.css`, js: `/static/console.${hash(JS)}.js` });

/** Path → body and content type. */
export const ASSETS: ReadonlyMap<string, { body: string; type: string }> = new Map([
  [ASSET_PATHS.css, { body: CSS, type: "text/css; charset=utf-8" }],
  [ASSET_PATHS.js, { body: JS, type: "text/javascript; charset=utf-8" }],
]);
