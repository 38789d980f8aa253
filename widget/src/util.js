/* commentbox loader (embed.js): one script tag puts a thread under an article.
 *
 * It finds its own <script> (document.currentScript) for the server's address and the
 * data-* options, attaches an open shadow root to the container (so page CSS cannot
 * break the widget and ours cannot leak out), and fills it with the thread as HTML
 * rendered by the server (/embed/thread): sanitized, the same for every viewer. New and
 * edited comments come back rendered too (?fragment= on the API), so there is one
 * renderer. This file only adds per-viewer touches (own comments, own votes, relative
 * times, "Commenting as …") and wires forms, replies, votes, sort, paging and sign-in.
 * Nodes it builds itself get text through textContent only.
 *
 * Nothing leaks into the page but window.Commentbox = {init(element, options), destroy()}.
 * API calls never use cookies (credentials: "omit"): a signed-in visitor's token lives in
 * this page's localStorage under "commentbox:<site>:token" and travels as a bearer.
 * The sign-in protocol (popup + postMessage + polling, redirect fallback) is described
 * in the README ("Signing in"); the server side lives in commentbox/routes/auth.py.
 */
/* util.js: constants and small helpers every other module uses (storage, DOM, time). */
const W = window;
if (W.Commentbox) return;
const script = document.currentScript;
const BASE = script ? script.src.replace(/\/embed\.js([?#].*)?$/, "") : location.origin;
const ORIGIN = new URL(BASE).origin;
const CSS = __CSS__;
const LOAD_ERRORS = __LOAD_ERRORS__;
const PROVIDERS = { google: "Google", twitter: "X", facebook: "Facebook", demo: "Demo", email: "email" };
const PENDING_DAYS = 30;
const instances = new Map();
let sheet;

/* localStorage, namespaced; never throws (storage may be disabled or full). */
const raw = (key, value) => {
  try {
    key = "commentbox:" + key;
    if (value === undefined) return localStorage.getItem(key);
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (e) {
    return null;
  }
};
const load = (key) => {
  try {
    return JSON.parse(raw(key)) || undefined;
  } catch (e) {
    return undefined;
  }
};
const keep = (key, value) => raw(key, value == null ? null : JSON.stringify(value));
const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
const enc = encodeURIComponent;
const node = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
/* An avatar that fails to load (a provider's picture gone) shows the generated one the
   server names in data-fallback, once. */
const fallback = (img) => {
  const to = img.dataset && img.dataset.fallback;
  if (to && img.src !== to) img.src = to;
};
const avatar = (src, identicon) => {
  const img = node("img", "cb-avatar");
  img.alt = "";
  img.referrerPolicy = "no-referrer";
  img.dataset.fallback = identicon;
  img.src = /^https?:\/\//.test(src) ? src : identicon;
  return img;
};
const button = (cls, text) => {
  const b = node("button", cls, text);
  b.type = "button";
  return b;
};
/* Pages that require Trusted Types accept HTML only through a policy. Ours passes the
   server's fragments through unchanged: they were sanitized once, at write time. A page
   whose CSP names its allowed policies must list "commentbox" (docs/security.md). */
let policy = null;
try {
  if (window.trustedTypes) policy = trustedTypes.createPolicy("commentbox", { createHTML: (s) => s });
} catch (e) {
  /* not allowed by the page: plain strings below, which such a page refuses */
}
const parse = (html) => {
  const t = document.createElement("template");
  t.innerHTML = policy ? policy.createHTML(html) : html;
  return t.content;
};
/* When an author's edit window closes (Infinity: never; deleting has no deadline). */
const deadline = (c) => (c.edit_until ? Date.parse(c.edit_until) : Infinity);
const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
const clientId = () => {
  let id = raw("client");
  if (!id) {
    id = randomId();
    raw("client", id);
  }
  return id;
};
const ago = (rtf, t, date) => {
  let s = (date - Date.now()) / 1000;
  if (Math.abs(s) < 45) return t.just_now;
  for (const [unit, size] of [["second", 60], ["minute", 60], ["hour", 24], ["day", 30.44], ["month", 12]]) {
    if (Math.abs(s) < size * (unit === "second" ? 0.75 : 1)) return rtf.format(Math.round(s), unit);
    s /= size;
  }
  return rtf.format(Math.round(s), "year");
};
