/* live.js: the thread follows GET /api/v1/threads/events (docs/live.md) while it is on
   screen and the tab is visible. New comments wait behind a bar ("2 new comments — show")
   so that nothing moves under the reader's eyes; edits and removals apply in place, and
   the heading follows the count. EventSource reconnects by itself after a dropped
   connection (sending Last-Event-ID); a refused stream is retried with growing pauses. */
Object.assign(Widget.prototype, {
  live() {
    if (!W.EventSource || !W.IntersectionObserver) return;
    this.fresh = [];
    this.io = new IntersectionObserver((entries) => {
      this.seen = entries[entries.length - 1].isIntersecting;
      this.follow();
    });
    this.io.observe(this.host);
    document.addEventListener("visibilitychange", () => this.follow(), { signal: this.ac.signal });
  },

  follow() {
    const want = this.seen && document.visibilityState === "visible" && !this.ac.signal.aborted;
    if (!want) this.hang();
    else if (!this.es) this.tune();
  },

  tune() {
    const q = new URLSearchParams({ site: this.site, url: this.o.pageUrl, lang: this.lang });
    if (this.o.pageId) q.set("page_id", this.o.pageId);
    const es = (this.es = new EventSource(BASE + "/api/v1/threads/events?" + q));
    es.onopen = () => (this.pause = 0);
    es.onerror = () => {
      if (es.readyState !== 2) return; // reconnecting by itself
      this.hang();
      this.pause = Math.min(6e4, (this.pause || 500) * 2);
      this.retry = setTimeout(() => this.follow(), this.pause);
    };
    for (const kind of ["published", "edited", "deleted"]) es.addEventListener(kind, (e) => this.change(kind, JSON.parse(e.data)));
    es.addEventListener("reload", () => this.resort(this.sort));
  },

  hang() {
    clearTimeout(this.retry);
    if (this.es) this.es.close();
    this.es = null;
  },

  change(kind, d) {
    const li = this.shadow.getElementById("comment-" + d.id);
    if (li && li.matches(kind === "deleted" ? ".cb-going, .cb-deleted" : ".cb-going")) return; // shown already, by its author here
    const now = d.fragment && parse(d.fragment).firstElementChild;
    this.fresh = this.fresh.filter((x) => x.id !== d.id);
    if (kind === "published" && !li) this.fresh.push(d);
    else if (li && now) {
      /* In place: an edit, a tombstone, or one's own held comment now published (not one's
         own fresh post, already shown; not while its author is editing it here). */
      const card = li.querySelector(":scope > .cb-card");
      if (!card.querySelector(".cb-edit") && (kind !== "published" || li.matches(".cb-pending"))) {
        card.replaceWith(now.querySelector(".cb-card"));
        li.classList.remove("cb-pending");
        li.classList.toggle("cb-deleted", now.matches(".cb-deleted"));
        this.decorate(li);
      }
    } else if (li && kind === "deleted") li.remove();
    this.root.dataset.count = d.count;
    this.count(0);
    this.bar();
  },

  /* One's own new comment, shown: true if the stream had already announced it. */
  seenHere(id) {
    const had = this.fresh && this.fresh.some((x) => x.id === id);
    if (had) {
      this.fresh = this.fresh.filter((x) => x.id !== id);
      this.bar();
    }
    return had;
  },

  bar() {
    let bar = this.root.querySelector(".cb-new");
    const n = this.fresh.length;
    if (!bar) {
      bar = node("p", "cb-new"); // announced when its text changes
      bar.setAttribute("role", "status");
      this.root.querySelector(".cb-thread").before(bar);
    }
    bar.replaceChildren(...(n ? [button("cb-new-show", plural(this.t.fresh, this.lang, n))] : []));
  },

  show() {
    const items = this.fresh;
    this.fresh = [];
    for (const d of items) {
      const li = parse(d.fragment).firstElementChild;
      this.insert(li, d.comment.parent);
      this.decorate(li);
    }
    this.bar();
    if (items[0]) this.shadow.getElementById("comment-" + items[0].id).querySelector(".cb-card").focus();
  },
});
