/* own.js: per-viewer touches: own comments, own votes, relative times, held comments. */
Object.assign(Widget.prototype, {
  /* Ownership has two sources. A guest's comments are this browser's alone: their edit
     tokens, kept here until the edit window closes. A signed-in author's come from the
     server (theirs: loadMine, and each new post), so they follow the account to every
     device and go when it signs out. Entries: {until, src[, token]}. */
  own() {
    const all = load(this.site + ":own") || {};
    for (const id in all) if (!all[id].token || all[id].until < Date.now()) delete all[id];
    return all;
  },

  mine() {
    return { ...this.own(), ...this.theirs };
  },

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
  },

  /* Edit while the author's window is open, Delete while the comment is theirs (a guest's:
     as long as the token lasts; a signed-in author's: for good); neither once it is not. */
  ownButtons(actions, mine) {
    const wanted = { "cb-edit-btn": this.editable(mine) && this.t.edit, "cb-del": !!mine && this.t.delete };
    for (const [cls, text] of Object.entries(wanted)) {
      const shown = actions.querySelector(":scope > ." + cls);
      if (shown && !text) shown.remove();
      else if (!shown && text) actions.append(button(cls, text));
    }
  },

  remember(comment, source) {
    const entry = { until: deadline(comment), src: source };
    if (comment.edit_token) {
      const own = this.own();
      own[comment.id] = { ...entry, token: comment.edit_token };
      keep(this.site + ":own", own);
    } else {
      this.theirs = { ...this.theirs, [comment.id]: entry };
    }
  },

  editable(mine) {
    return !!mine && mine.until > Date.now();
  },

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
  },

  /* Comments awaiting moderation: shown to their author only, until published or gone. */
  pending() {
    return (load(this.site + ":pending") || []).filter((p) => p.until > Date.now());
  },

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
  },
});
