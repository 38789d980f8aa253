/* thread.js: the Widget class: mounting the server's fragment, events, inserting, voting,
   paging, sorting and permalinks. The other modules add methods to it by topic. */
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
    const on = (target, type, fn, capture) => target.addEventListener(type, fn, { signal: this.ac.signal, capture });
    on(this.shadow, "click", (e) => this.click(e));
    on(this.shadow, "error", (e) => fallback(e.target), true); // <img> errors do not bubble
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
    this.hang();
    if (this.io) this.io.disconnect();
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
    this.offerMail();
    this.decorate(this.root);
    this.showPending();
    this.jump();
    this.live();
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
    if (this.o.formPosition === "bottom") root.append(this.form); // the WordPress order: list, then form
    this.form.before(this.slot);
    this.status = this.form.querySelector(".cb-status");
    const fields = this.form.elements;
    const guest = load("guest") || {};
    for (const name of ["name", "email", "website"]) fields[name].value = guest[name] || "";
    fields.body.value = load(this.draftKey) || "";
    this.config = {};
    if (this.o.feed !== "off") {
      // The thread's Atom feed, for readers who follow it in a feed reader.
      const foot = node("p", "cb-foot");
      const a = foot.appendChild(node("a", "", this.t.feed));
      const page = this.o.pageId ? "page_id=" + enc(this.o.pageId) : "url=" + enc(this.o.pageUrl.replace(/#.*$/, ""));
      a.href = BASE + "/feeds/" + enc(this.site) + ".atom?" + page;
      a.type = "application/atom+xml";
      root.append(foot);
    }
    this.count(0);
    this.setUser(null);
    this.shadow.replaceChildren(root);
  }


  click(e) {
    const b = e.target.closest("button");
    if (!b || b.disabled) return;
    const li = b.closest(".cb-comment");
    const c = b.classList;
    this.hush(); // the last message was about the last action
    if (c.contains("cb-reply")) this.reply(li);
    else if (c.contains("cb-cancel")) this.reply(null);
    else if (b.dataset.vote) this.vote(li, +b.dataset.vote, b);
    else if (c.contains("cb-more")) this.more(b);
    else if (c.contains("cb-new-show")) this.show();
    else if (c.contains("cb-preview-toggle")) this.preview(b);
    else if (b.dataset.provider) this.signin(b.dataset.provider);
    else if (c.contains("cb-change")) this.logout(false, true);
    else if (c.contains("cb-logout-all")) this.logout(true);
    else if (c.contains("cb-mydata")) this.myData();
    else if (c.contains("cb-verify")) this.verifyMail(b);
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

  /* The heading names the page ("2 responses to “Title”"); zero reads as on count.js. The
     sort control waits until there is something to sort. */
  count(delta) {
    const n = Math.max(0, +this.root.dataset.count + delta);
    const title = this.o.title;
    this.root.dataset.count = n;
    this.root.querySelector(".cb-count").textContent = !n
      ? this.t.count_none
      : title
        ? fmt(plural(this.t.responses, this.lang, n), { title })
        : plural(this.t.count, this.lang, n);
    this.root.querySelector(".cb-bar").hidden = !n;
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
      this.fail(e, li.querySelector(":scope > .cb-card"));
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
      this.say("loaded", false, this.root.querySelector(".cb-thread"));
      if (items[0]) items[0].querySelector(".cb-card").focus();
    } catch (e) {
      b.disabled = false;
      this.fail(e, b);
    }
  }

  async resort(sort) {
    this.hush();
    this.sort = sort;
    keep("sort", sort);
    this.reply(null);
    try {
      const page = parse(await this.fragment({}));
      this.root.querySelector(".cb-thread").replaceWith(page.querySelector(".cb-thread"));
      const old = this.root.querySelector(".cb-more");
      if (old) old.remove();
      const next = page.querySelector(".cb-more");
      if (next) this.root.querySelector(".cb-thread").after(next);
      this.decorate(this.root);
      this.showPending();
    } catch (e) {
      this.fail(e, this.root.querySelector(".cb-bar"));
    }
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
}
