/**
 * The console's only static files: one stylesheet and one script, served by the
 * app itself (no CDN, works air-gapped). Kept as strings so the package needs
 * no file lookup at run time; the path carries a content hash so browsers may
 * cache them for good.
 */
import { createHash } from "node:crypto";

const CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--fg:#1c1d21;--muted:#5b5f6b;--card:#fff;--line:#d9dbe1;--accent:#0b5cad;--accent-fg:#fff;
--ok:#1a7f37;--warn:#9a6700;--bad:#c62828;--chip:#eef0f4;--focus:#ffbf47}
@media (prefers-color-scheme:dark){:root{--bg:#16181d;--fg:#e6e7eb;--muted:#a2a7b3;--card:#1f2229;--line:#363a45;--accent:#6cb2ff;--accent-fg:#0b1220;
--ok:#56d364;--warn:#e3b341;--bad:#ff7b72;--chip:#2a2e37}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:var(--card);padding:6px 10px;z-index:2}
header{display:flex;flex-wrap:wrap;align-items:center;gap:16px;padding:8px 20px;background:var(--card);border-bottom:1px solid var(--line)}
.brand{font-weight:700;text-decoration:none;color:var(--fg)}
nav ul{display:flex;flex-wrap:wrap;gap:4px;list-style:none;margin:0;padding:0}
nav a{display:block;padding:6px 10px;border-radius:6px;text-decoration:none}
nav a[aria-current=page]{background:var(--chip);color:var(--fg);font-weight:600}
.signout{margin-left:auto;display:flex;gap:8px;align-items:center}
.who{color:var(--muted)}
main{padding:16px 20px 40px;max-width:1400px}
h1{font-size:1.5rem;margin:.3em 0 .6em}h2{font-size:1.15rem;margin:1.4em 0 .5em}.card>h2:first-child,.stack>h2:first-child{margin-top:0}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:.92rem}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{font-weight:600;background:var(--chip)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;margin:0 0 12px;padding:10px;background:var(--card);border:1px solid var(--line);border-radius:8px}
label{display:flex;flex-direction:column;gap:3px;font-size:.85rem;color:var(--muted)}
label.inline{flex-direction:row;align-items:center;gap:6px;color:var(--fg);font-size:.95rem}
fieldset{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:0}
legend{font-size:.85rem;color:var(--muted)}
input,select,textarea,button{font:inherit;color:inherit}
input,select,textarea{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:5px 8px}
textarea{width:100%;min-height:7em;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
button,.button{display:inline-block;padding:6px 14px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 14px}
.stack{display:flex;flex-direction:column;gap:10px;max-width:560px}
.row{display:flex;flex-wrap:wrap;gap:10px;align-items:center}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-word}
.chip{display:inline-block;padding:1px 8px;border-radius:10px;background:var(--chip);font-size:.85rem;white-space:nowrap}
.state-verified,.state-done,.sev-Low,.ok{color:var(--ok)}
.state-degraded,.state-error,.state-failed,.sev-High,.bad{color:var(--bad)}
.state-pending,.state-consented,.state-running,.state-queued,.sev-Medium,.warn{color:var(--warn)}
.flash{padding:8px 12px;border-radius:6px;border:1px solid var(--line);background:var(--card)}
.flash.error{border-color:var(--bad)}.flash.ok{border-color:var(--ok)}
.error-message{font-size:1.05rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;word-break:break-all}
.consent-link{display:flex;gap:8px;align-items:center}
.consent-link input{flex:1;min-width:0}
.muted{color:var(--muted)}
.pager{display:flex;gap:12px;margin:10px 0}
ul.checks,.plain-list{list-style:none;padding:0;margin:0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}ul.checks li{padding:2px 0}
@media (max-width:700px){main{padding:10px}.signout{margin-left:0}}
`;

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
      if (data.final) { box.setAttribute("data-final", "true"); return; }
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
