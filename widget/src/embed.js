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
(() => {
  "use strict";
  const W = window;
  if (W.Commentbox) return;
  const script = document.currentScript;
  const BASE = script ? script.src.replace(/\/embed\.js([?#].*)?$/, "") : location.origin;
  const ORIGIN = new URL(BASE).origin;
  const CSS = __CSS__;
  const LOAD_ERRORS = __LOAD_ERRORS__;
  const PROVIDERS = { google: "Google", twitter: "X", facebook: "Facebook", demo: "Demo" };
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
  const clientId = () => {
    let id = raw("client");
    if (!id) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
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

  class Widget {
    constructor(host, options) {
      this.host = host;
      this.o = options;
      this.site = options.site;
      this.sort = options.sort || load("sort") || "oldest";
      this.draftKey = "draft:" + this.site + ":" + (options.pageId || options.pageUrl.replace(/#.*$/, ""));
      this.shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      this.shadow.adoptedStyleSheets = [sheet]; // not an inline <style>: passes strict host CSPs
      this.ac = new AbortController();
      const on = (target, type, fn) => target.addEventListener(type, fn, { signal: this.ac.signal });
      on(this.shadow, "click", (e) => this.click(e));
      on(this.shadow, "submit", (e) => this.submit(e));
      on(this.shadow, "keydown", (e) => this.key(e));
      on(this.shadow, "change", (e) => e.target.matches(".cb-sort") && this.resort(e.target.value));
      on(this.shadow, "input", (e) => e.target.closest(".cb-form") && e.target.name === "body" && keep(this.draftKey, e.target.value));
      on(W, "hashchange", () => this.jump());
      on(W, "message", (e) => this.onMessage && this.onMessage(e));
      this.start();
    }

    destroy() {
      this.ac.abort();
      this.onMessage = null;
      clearInterval(this.timer);
      this.shadow.replaceChildren();
    }

    /* Paint the thread first (one request); identity and config follow. */
    async start() {
      const config = this.api("GET", "/api/v1/sites/" + enc(this.site) + "/config").catch(() => ({}));
      try {
        this.mount(await this.fragment({}));
      } catch (e) {
        console.warn("commentbox:", (e.p && e.p.detail) || e); // tells a site owner why
        const lang = (this.o.lang || "en").slice(0, 2);
        this.shadow.replaceChildren(node("p", "cb-root", LOAD_ERRORS[lang] || LOAD_ERRORS.en));
        return;
      }
      this.config = await config;
      this.decorate(this.root);
      this.showPending();
      this.jump();
      await this.restoreLogin();
    }

    fragment(extra) {
      const q = new URLSearchParams({ site: this.site, url: this.o.pageUrl, lang: this.o.lang, sort: this.sort, ...extra });
      if (this.o.pageId) q.set("page_id", this.o.pageId);
      return this.api("GET", "/embed/thread?" + q);
    }

    mount(html) {
      const root = parse(html).firstElementChild;
      root.dataset.theme = this.o.theme;
      this.root = root;
      this.lang = root.lang;
      this.t = JSON.parse(root.dataset.strings);
      this.form = root.querySelector(".cb-form");
      this.slot = document.createComment("form");
      this.form.before(this.slot);
      this.status = this.form.querySelector(".cb-status");
      const fields = this.form.elements;
      const guest = load("guest") || {};
      for (const name of ["name", "email", "website"]) fields[name].value = guest[name] || "";
      fields.body.value = load(this.draftKey) || "";
      this.config = {};
      this.setUser(null);
      this.shadow.replaceChildren(root);
    }

    /* ---- talking to the server ------------------------------------------------------ */

    token() {
      return raw(this.site + ":token");
    }

    async api(method, path, body, headers) {
      const h = { ...headers };
      const token = this.token();
      if (method !== "GET") h["X-Commentbox-Client"] = clientId(); // GETs stay "simple": no preflight
      if (token && (method !== "GET" || path.startsWith("/api/v1/me"))) h.Authorization = "Bearer " + token;
      if (body) h["Content-Type"] = "application/json";
      let r;
      try {
        r = await fetch(BASE + path, { method, headers: h, body: body && JSON.stringify(body), credentials: "omit" });
      } catch (e) {
        throw { net: 1 };
      }
      if (r.status === 401 && h.Authorization) this.setUser(null, true);
      const type = r.headers.get("content-type") || "";
      const out = r.status === 204 ? null : await (type.includes("json") ? r.json() : r.text()).catch(() => null);
      if (!r.ok) throw { status: r.status, p: out || {}, retry: r.headers.get("Retry-After") };
      return out;
    }

    /* A human sentence for any failure: never raw JSON or a stack trace. */
    message(e) {
      const t = this.t;
      if (e.text) return e.text;
      if (e.net) return t.err_network;
      if (e.status === 429) return fmt(t.err_rate, { seconds: parseInt(e.retry, 10) || 60 });
      if (e.status === 413) return t.err_too_long;
      const errors = (e.p && Array.isArray(e.p.errors) && e.p.errors) || [];
      if (e.status === 422 && errors.length) {
        if (errors.some((x) => /at most/.test(x.message))) return t.err_too_long;
        const labels = errors.map((x) => this.label(x.field)).filter(Boolean);
        if (labels.length) return fmt(t.err_fields, { fields: [...new Set(labels)].join(", ") });
      }
      return (e.status < 500 && e.p && typeof e.p.detail === "string" && e.p.detail) || t.err_generic;
    }

    label(field) {
      const name = { body: "body", "author.name": "name", "author.email": "email", "author.website": "website" }[field];
      return name && this.t[name + "_label"];
    }

    say(text, bad) {
      this.status.textContent = this.t[text] || text;
      this.status.classList.toggle("cb-bad", !!bad);
    }

    fail(e) {
      this.say(this.message(e), true);
      if (e.status === 422 && e.p.errors) {
        const first = e.p.errors.map((x) => this.form.elements[x.field.replace("author.", "")]).find(Boolean);
        if (first) {
          first.setAttribute("aria-invalid", "true");
          first.focus();
        }
      }
    }

    /* ---- per-viewer touches ---------------------------------------------------------- */

    /* Ownership has two sources. A guest's comments are this browser's alone: their edit
       tokens, kept here until the edit window closes. A signed-in author's come from the
       server (theirs: loadMine, and each new post), so they follow the account to every
       device and go when it signs out. Entries: {until, src[, token]}. */
    own() {
      const all = load(this.site + ":own") || {};
      for (const id in all) if (!all[id].token || all[id].until < Date.now()) delete all[id];
      return all;
    }

    mine() {
      return { ...this.own(), ...this.theirs };
    }

    decorate(scope) {
      const t = this.t;
      const own = this.mine();
      const votes = load(this.site + ":votes") || {};
      const rtf = new Intl.RelativeTimeFormat(this.lang, { numeric: "auto" });
      const dtf = new Intl.DateTimeFormat(this.lang, { dateStyle: "long", timeStyle: "short" });
      for (const time of scope.querySelectorAll("time[datetime]")) {
        const date = new Date(time.dateTime);
        time.textContent = ago(rtf, t, date);
        time.title = dtf.format(date);
      }
      const items = [...scope.querySelectorAll(".cb-comment")];
      if (scope.matches && scope.matches(".cb-comment")) items.push(scope);
      for (const li of items) {
        const card = li.querySelector(":scope > .cb-card");
        const value = votes[li.dataset.id];
        const ownComment = !!own[li.dataset.id]; // the server refuses votes on one's own comments
        for (const b of card.querySelectorAll(".cb-vote")) {
          b.setAttribute("aria-pressed", String(+b.dataset.vote === value));
          b.hidden = ownComment;
        }
        const actions = card.querySelector(".cb-actions");
        if (actions) this.ownButtons(actions, own[li.dataset.id]);
      }
    }

    /* Edit while the author's window is open, Delete while the comment is theirs (a guest's:
       as long as the token lasts; a signed-in author's: for good); neither once it is not. */
    ownButtons(actions, mine) {
      const wanted = { "cb-edit-btn": this.editable(mine) && this.t.edit, "cb-del": !!mine && this.t.delete };
      for (const [cls, text] of Object.entries(wanted)) {
        const shown = actions.querySelector(":scope > ." + cls);
        if (shown && !text) shown.remove();
        else if (!shown && text) actions.append(button(cls, text));
      }
    }

    remember(comment, source) {
      const entry = { until: deadline(comment), src: source };
      if (comment.edit_token) {
        const own = this.own();
        own[comment.id] = { ...entry, token: comment.edit_token };
        keep(this.site + ":own", own);
      } else {
        this.theirs = { ...this.theirs, [comment.id]: entry };
      }
    }

    editable(mine) {
      return !!mine && mine.until > Date.now();
    }

    /* The signed-in author's comments on this page (the shared thread cannot say whose they are). */
    async loadMine() {
      const q = new URLSearchParams({ site: this.site, url: this.o.pageUrl });
      if (this.o.pageId) q.set("page_id", this.o.pageId);
      try {
        const r = await this.api("GET", "/api/v1/me/comments?" + q);
        this.theirs = Object.fromEntries(r.comments.map((c) => [c.id, { until: deadline(c), src: c.body }]));
        this.decorate(this.root);
      } catch (e) {
        /* no Edit or Delete this time: the thread stays readable */
      }
    }

    /* Comments awaiting moderation: shown to their author only, until published or gone. */
    pending() {
      return (load(this.site + ":pending") || []).filter((p) => p.until > Date.now());
    }

    showPending() {
      const save = (list) => keep(this.site + ":pending", list.length ? list : null);
      const forget = (id) => save(this.pending().filter((p) => p.id !== id));
      const left = this.pending().filter((p) => {
        if (p.page !== this.draftKey) return true;
        const shown = this.shadow.getElementById("comment-" + p.id);
        if (shown) return shown.matches(".cb-pending"); // published by now: forget it
        const li = parse(p.html).firstElementChild;
        this.insert(li, p.parent);
        this.decorate(li);
        /* Ask how it is now, with the bearer or the edit token (which goes on reading after
           the edit window): published, it shows as such and is forgotten; removed (404), or
           no longer this browser's to ask about (403: signed out, or 30 days), it goes. */
        const token = this.token();
        const editToken = p.token || (this.own()[p.id] || {}).token; // older entries kept none of their own
        const headers = { ...(editToken && { "X-Edit-Token": editToken }), ...(token && { Authorization: "Bearer " + token }) };
        this.api("GET", "/api/v1/comments/" + p.id + "?fragment=" + this.lang, null, headers).then(
          (c) => {
            if (c.status !== "pending") forget(p.id);
            if (!li.isConnected) return;
            const now = parse(c.fragment).firstElementChild;
            li.replaceWith(now);
            this.decorate(now);
          },
          (e) => (e.status === 404 || e.status === 403) && (forget(p.id), li.remove()),
        );
        return true;
      });
      save(left);
    }

    /* ---- events ----------------------------------------------------------------------- */

    click(e) {
      const b = e.target.closest("button");
      if (!b || b.disabled) return;
      const li = b.closest(".cb-comment");
      const c = b.classList;
      if (c.contains("cb-reply")) this.reply(li);
      else if (c.contains("cb-cancel")) this.reply(null);
      else if (b.dataset.vote) this.vote(li, +b.dataset.vote, b);
      else if (c.contains("cb-more")) this.more(b);
      else if (c.contains("cb-preview-toggle")) this.preview(b);
      else if (b.dataset.provider) this.signin(b.dataset.provider);
      else if (c.contains("cb-logout-all")) this.logout(true);
      else if (c.contains("cb-logout")) this.logout();
      else if (c.contains("cb-edit-btn")) this.edit(li);
      else if (c.contains("cb-del")) this.remove(li, b);
      else if (c.contains("cb-save")) this.save(li, b);
      else if (c.contains("cb-edit-cancel")) this.endEdit(li);
    }

    key(e) {
      if (e.key === "Escape") {
        const edit = e.target.closest(".cb-edit");
        if (edit) this.endEdit(edit.closest(".cb-comment"));
        else if (this.parent) this.reply(null);
      } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.closest(".cb-form")) {
        this.form.requestSubmit();
      }
    }

    /* The one form moves under the comment being answered; Escape or Cancel brings it back. */
    reply(li) {
      const f = this.form;
      const note = f.querySelector(".cb-replying");
      const cancel = f.querySelector(".cb-cancel");
      if (!li) {
        if (!this.parent) return;
        const back = this.shadow.getElementById("comment-" + this.parent);
        this.parent = null;
        this.slot.after(f);
        note.hidden = cancel.hidden = true;
        const again = back && back.querySelector(":scope > .cb-card .cb-reply");
        if (again) again.focus();
        return;
      }
      this.parent = li.dataset.id;
      li.querySelector(":scope > .cb-card").after(f);
      note.textContent = fmt(this.t.replying_to, { name: li.querySelector(".cb-author").textContent.trim() });
      note.hidden = cancel.hidden = false;
      f.elements.body.focus();
    }

    async submit(e) {
      const f = e.target;
      if (f !== this.form) return;
      e.preventDefault();
      const x = f.elements;
      const body = x.body.value;
      const data = { site: this.site, url: this.o.pageUrl, body, notify: x.notify.checked, hp: x.url_confirm.value };
      if (this.o.pageId) data.page_id = this.o.pageId;
      if (this.o.title) data.title = this.o.title.slice(0, 300);
      if (this.parent) data.parent = +this.parent;
      if (this.config.form_token) data.form_token = this.config.form_token;
      if (!this.user) {
        const guest = { name: x.name.value.trim(), email: x.email.value.trim() };
        if (x.website.value.trim()) guest.website = x.website.value.trim();
        data.author = guest;
        keep("guest", guest);
      }
      for (const input of f.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
      this.busy(true);
      try {
        const c = await this.api("POST", "/api/v1/comments?fragment=" + this.lang, data);
        const li = parse(c.fragment).firstElementChild;
        const parent = this.parent;
        this.remember(c, body);
        if (c.status === "pending") {
          const list = this.pending();
          const until = Date.now() + PENDING_DAYS * 864e5;
          list.push({ id: c.id, page: this.draftKey, parent, html: c.fragment, until, token: c.edit_token || null });
          keep(this.site + ":pending", list);
        } else {
          this.count(1);
        }
        this.reply(null);
        this.insert(li, parent);
        this.decorate(li);
        x.body.value = "";
        keep(this.draftKey, null);
        this.preview(null);
        this.say(c.status === "pending" ? "held" : "posted");
        li.scrollIntoView({ block: "nearest" });
      } catch (err) {
        this.fail(err); // the typed text stays in the textarea (and in the saved draft)
      } finally {
        this.busy(false);
      }
    }

    busy(on) {
      this.form.querySelector(".cb-submit").disabled = on;
      this.form.setAttribute("aria-busy", String(on));
    }

    insert(li, parent) {
      const list = this.root.querySelector(".cb-thread");
      let host = parent && this.shadow.getElementById("comment-" + parent);
      if (!host) {
        if (this.sort === "newest") list.prepend(li);
        else list.append(li);
        return;
      }
      let depth = 0;
      for (let n = host; n; n = n.parentElement.closest(".cb-comment")) depth++;
      if (depth >= +this.root.dataset.maxDepth) {
        // Below the depth cap the reply hangs beside its parent, marked "in reply to NAME".
        const to = node("span", "cb-to", fmt(this.t.in_reply_to, { name: host.querySelector(".cb-author").textContent.trim() }));
        li.querySelector(".cb-meta").append(to);
        host = host.parentElement.closest(".cb-comment");
        if (!host) return list.append(li);
      }
      let replies = host.querySelector(":scope > .cb-replies");
      if (!replies) host.append((replies = node("ol", "cb-replies")));
      replies.append(li);
    }

    count(delta) {
      const n = Math.max(0, +this.root.dataset.count + delta);
      const forms = this.t.count;
      this.root.dataset.count = n;
      this.root.querySelector(".cb-count").textContent = n
        ? (forms[new Intl.PluralRules(this.lang).select(n)] || forms.other).replace("{n}", n)
        : this.t.count_none;
    }

    async vote(li, value, b) {
      const id = li.dataset.id;
      if (b.getAttribute("aria-pressed") === "true") value = 0;
      try {
        const r = await this.api("POST", "/api/v1/comments/" + id + "/vote", { value });
        const card = li.querySelector(":scope > .cb-card");
        const score = card.querySelector(".cb-score");
        score.value = r.score;
        score.lastChild.nodeValue = r.score;
        const votes = load(this.site + ":votes") || {};
        votes[id] = r.value || undefined;
        keep(this.site + ":votes", votes);
        this.decorate(li);
      } catch (e) {
        this.fail(e);
      }
    }

    async more(b) {
      b.disabled = true;
      try {
        const page = parse(await this.fragment({ cursor: b.dataset.next }));
        const items = [...page.querySelector(".cb-thread").children];
        for (const li of items) {
          const shown = this.shadow.getElementById(li.id); // a held one, published since we showed it
          if (shown) shown.remove();
        }
        this.root.querySelector(".cb-thread").append(...items);
        items.forEach((li) => this.decorate(li));
        const next = page.querySelector(".cb-more");
        if (next) b.replaceWith(next);
        else b.remove();
        this.say("loaded");
        if (items[0]) items[0].querySelector(".cb-card").focus();
      } catch (e) {
        b.disabled = false;
        this.fail(e);
      }
    }

    async resort(sort) {
      this.sort = sort;
      keep("sort", sort);
      this.reply(null);
      try {
        const page = parse(await this.fragment({}));
        this.root.querySelector(".cb-thread").replaceWith(page.querySelector(".cb-thread"));
        const old = this.root.querySelector(".cb-more");
        if (old) old.remove();
        const next = page.querySelector(".cb-more");
        if (next) this.root.append(next);
        this.decorate(this.root);
        this.showPending();
      } catch (e) {
        this.fail(e);
      }
    }

    /* Toggle between writing and the server-rendered preview (null: back to writing). */
    async preview(b) {
      const f = this.form;
      const toggle = f.querySelector(".cb-preview-toggle");
      const box = f.querySelector(".cb-preview");
      const area = f.elements.body;
      const on = !!b && toggle.getAttribute("aria-pressed") !== "true";
      if (on) {
        if (!area.value.trim()) box.textContent = this.t.preview_empty;
        else {
          try {
            const r = await this.api("POST", "/api/v1/preview", { site: this.site, body: area.value });
            box.replaceChildren(parse(r.html));
          } catch (e) {
            return this.fail(e);
          }
        }
      }
      area.hidden = on;
      box.hidden = !on;
      toggle.setAttribute("aria-pressed", String(on));
      toggle.textContent = on ? this.t.write : this.t.preview;
    }

    edit(li) {
      const mine = this.mine()[li.dataset.id];
      const card = li.querySelector(":scope > .cb-card");
      if (!this.editable(mine) || card.querySelector(".cb-edit")) return;
      const box = node("div", "cb-edit");
      const area = node("textarea");
      area.value = mine.src || "";
      area.setAttribute("aria-label", this.t.body_label);
      box.append(area, button("cb-save", this.t.save), button("cb-edit-cancel", this.t.cancel));
      card.querySelector(".cb-text").hidden = true;
      card.querySelector(".cb-text").after(box);
      area.focus();
    }

    endEdit(li) {
      const card = li.querySelector(":scope > .cb-card");
      const box = card.querySelector(".cb-edit");
      if (box) box.remove();
      card.querySelector(".cb-text").hidden = false;
      const again = card.querySelector(".cb-edit-btn");
      if (again) again.focus();
    }

    authorHeaders(id) {
      const mine = this.own()[id];
      return mine && mine.token ? { "X-Edit-Token": mine.token } : {};
    }

    async save(li, b) {
      const id = li.dataset.id;
      const source = li.querySelector(".cb-edit textarea").value;
      b.disabled = true;
      try {
        const c = await this.api("PATCH", "/api/v1/comments/" + id + "?fragment=" + this.lang, { body: source }, this.authorHeaders(id));
        const own = this.own();
        if (own[id]) {
          own[id].src = source;
          keep(this.site + ":own", own);
        } else if (this.theirs && this.theirs[id]) this.theirs[id].src = source;
        li.querySelector(":scope > .cb-card").replaceWith(parse(c.fragment).firstElementChild.querySelector(".cb-card"));
        this.decorate(li);
        this.say("saved");
        li.querySelector(".cb-card").focus();
      } catch (e) {
        b.disabled = false;
        this.fail(e);
      }
    }

    async remove(li, b) {
      if (!b.dataset.sure) {
        b.dataset.sure = "1";
        b.textContent = this.t.confirm_delete;
        return;
      }
      const id = li.dataset.id;
      try {
        await this.api("DELETE", "/api/v1/comments/" + id, null, this.authorHeaders(id));
      } catch (e) {
        return this.fail(e);
      }
      const own = this.own();
      delete own[id];
      keep(this.site + ":own", own);
      if (this.theirs) delete this.theirs[id];
      keep(this.site + ":pending", this.pending().filter((p) => p.id !== +id));
      if (!li.matches(".cb-pending")) this.count(-1);
      const replies = li.querySelector(":scope > .cb-replies");
      if (replies && replies.children.length) {
        li.classList.add("cb-deleted");
        li.querySelector(":scope > .cb-card").replaceChildren(node("p", "cb-gone", this.t.deleted));
      } else {
        li.remove();
      }
      this.say("removed");
    }

    /* Opening the page at #comment-ID scrolls to that comment and highlights it. */
    async jump() {
      const m = /^#comment-(\d+)$/.exec(location.hash);
      if (!m || !this.root) return;
      let li = this.shadow.getElementById("comment-" + m[1]);
      for (let i = 0; !li && i < 20; i++) {
        const more = this.root.querySelector(".cb-more");
        if (!more) break;
        await this.more(more);
        li = this.shadow.getElementById("comment-" + m[1]);
      }
      if (!li) return;
      for (const old of this.root.querySelectorAll(".cb-hl")) old.classList.remove("cb-hl");
      li.classList.add("cb-hl");
      const card = li.querySelector(".cb-card");
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "center" });
    }

    /* ---- sign-in ------------------------------------------------------------------------ */

    setUser(user, dropped) {
      this.user = user;
      if (dropped) raw(this.site + ":token", null);
      if (!user && this.theirs) {
        this.theirs = null; // signed out: their Edit and Delete go with the account
        this.decorate(this.root);
      }
      const f = this.form;
      const guest = f.querySelector(".cb-guest");
      const buttons = f.querySelector(".cb-signin");
      const line = f.querySelector(".cb-identity");
      guest.hidden = guest.disabled = !!user;
      if (buttons) buttons.hidden = !!user;
      line.hidden = !user;
      if (user) {
        const provider = PROVIDERS[user.provider] || user.provider;
        line.replaceChildren(
          fmt(this.t.commenting_as, { name: user.name, provider }),
          " · ",
          button("cb-logout", this.t.logout),
          " · ",
          button("cb-logout-all", this.t.logout_everywhere)
        );
      }
    }

    async restoreLogin() {
      const m = /[#&]commentbox-login=([\w.~-]+)/.exec(location.hash);
      if (m) {
        history.replaceState(history.state, "", location.pathname + location.search);
        for (let i = 0; i < 10; i++) {
          try {
            const r = await this.redeem(m[1]);
            if (r) return this.signedIn(r.token, r.user);
          } catch (e) {
            return this.say(fmt(this.t.signin_failed, { detail: this.message(e) }), true);
          }
          await new Promise((go) => setTimeout(go, 500));
        }
      }
      if (this.token()) {
        try {
          this.setUser(await this.api("GET", "/api/v1/me?site=" + enc(this.site)));
        } catch (e) {
          return; /* 401 already dropped the token; a network failure keeps it for next time */
        }
        await this.loadMine();
      }
    }

    async redeem(login) {
      return this.api("POST", "/auth/logins/" + enc(login) + "/redeem").then((r) => (r && r.token ? r : null));
    }

    async signedIn(token, user) {
      raw(this.site + ":token", token);
      try {
        this.setUser(user || (await this.api("GET", "/api/v1/me?site=" + enc(this.site))));
        this.say("");
        this.form.elements.body.focus();
      } catch (e) {
        return this.fail(e);
      }
      await this.loadMine();
    }

    /* Open the popup inside the click (popup blockers allow nothing later), then ask for a
       one-time login id; if the popup was blocked, go the full-page way with return_to. */
    async signin(provider) {
      const popup = W.open("", "commentbox-login", "popup,width=520,height=680");
      let login;
      try {
        login = (await this.api("POST", "/auth/logins", { site: this.site, origin: location.origin })).login;
      } catch (e) {
        if (popup) popup.close();
        return this.fail(e.status === 404 || e.status === 405 ? { text: this.t.signin_unavailable } : e);
      }
      const url = BASE + "/auth/" + enc(provider) + "/login?site=" + enc(this.site) + "&login=" + enc(login);
      if (!popup) {
        location.assign(url + "&return_to=" + enc(location.href.replace(/#.*$/, "")));
        return;
      }
      popup.location.href = url;
      this.say("signin_wait");
      this.watch(login, popup);
    }

    /* Whichever comes first wins: the callback's postMessage, or polling the redeem URL. */
    watch(login, popup) {
      let done = false;
      let closedFor = 0;
      let ticks = 0;
      const end = () => {
        done = true;
        this.onMessage = null;
        clearInterval(this.timer);
        try {
          popup.close();
        } catch (e) {
          /* already closed */
        }
      };
      const failed = (detail) => {
        end();
        this.say(fmt(this.t.signin_failed, { detail }), true);
      };
      this.onMessage = (e) => {
        const m = e.data && e.data.commentbox;
        if (e.origin !== ORIGIN || e.source !== popup || !m || m.login !== login) return;
        if (m.type === "login" && m.token) {
          end();
          this.redeem(login).catch(() => null); // spend the id: it must not stay redeemable
          this.signedIn(m.token, null);
        } else if (m.type === "login-failed") failed(String(m.detail || this.t.err_generic));
      };
      clearInterval(this.timer);
      this.timer = setInterval(async () => {
        /* A consent page sending Cross-Origin-Opener-Policy severs the popup: it then looks
           closed while the person is still reading it, so keep polling for a while. */
        closedFor = popup.closed ? closedFor + 1 : 0;
        if (done) return;
        if (closedFor > 120 || ++ticks > 900) {
          end();
          return this.say("");
        }
        try {
          const r = await this.redeem(login);
          if (r && !done) {
            end();
            this.signedIn(r.token, r.user);
          }
        } catch (e) {
          if (!e.net && !done) failed(this.message(e));
        }
      }, 1000);
    }

    /* everywhere: end every session of this account (other browsers and devices too). */
    async logout(everywhere) {
      try {
        await this.api("POST", everywhere ? "/auth/logout?everywhere=1" : "/auth/logout");
      } catch (e) {
        /* signed out locally either way */
      }
      raw(this.site + ":token", null);
      this.setUser(null);
      this.say(everywhere ? "signed_out_everywhere" : "signed_out");
    }
  }

  const fromScript = () => {
    const d = (script && script.dataset) || {};
    return { site: d.site, pageId: d.pageId, pageUrl: d.pageUrl, title: d.pageTitle, lang: d.lang, theme: d.theme };
  };

  W.Commentbox = Object.freeze({
    /* Mount the widget into element (an Element or a selector); options override the
       script tag's data-* attributes: site, pageId, pageUrl, title, lang, theme, sort. */
    init(element, options) {
      const host = typeof element === "string" ? document.querySelector(element) : element;
      if (!host) throw new Error("commentbox: no element " + element);
      this.destroy(host);
      const o = { ...fromScript() };
      for (const [k, v] of Object.entries(options || {})) if (v != null) o[k] = v;
      if (!o.site) throw new Error("commentbox: give data-site or options.site");
      o.pageUrl = o.pageUrl || location.href;
      o.title = o.title || document.title;
      o.lang = o.lang || document.documentElement.lang || navigator.language || "en";
      o.theme = o.theme || "light";
      instances.set(host, new Widget(host, o));
    },
    /* Unmount one widget (or all): listeners removed, shadow root emptied. */
    destroy(element) {
      for (const [host, widget] of instances) {
        if (!element || host === element) {
          widget.destroy();
          instances.delete(host);
        }
      }
    },
  });

  if (script && script.dataset.site) {
    const target = () => document.querySelector(script.dataset.target || "#commentbox");
    // The container usually precedes the script: start at once instead of after parsing.
    if (target() || document.readyState !== "loading") {
      if (target()) W.Commentbox.init(target());
    } else {
      document.addEventListener("DOMContentLoaded", () => target() && W.Commentbox.init(target()));
    }
  }
})();
