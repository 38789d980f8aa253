/* form.js: the comment form (reply, post, preview) and editing or deleting one's own comments. */
Object.assign(Widget.prototype, {
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
  },

  async submit(e) {
    const f = e.target;
    if (f !== this.form) return;
    e.preventDefault();
    for (const input of f.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    if (this.invalid()) return;
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
    /* One Idempotency-Key per draft (the same text, reply target and page): a retry after a
       lost answer or a server error gets the comment the first try stored, never a twin. */
    const draft = JSON.stringify([this.draftKey, data.parent, body]);
    if (!this.idem || this.idem.draft !== draft) this.idem = { draft, key: randomId() };
    this.busy(true);
    try {
      const c = await this.post(data, this.idem.key);
      this.idem = null;
      const li = parse(c.fragment).firstElementChild;
      const parent = this.parent;
      this.remember(c, body);
      if (c.status === "pending") {
        const list = this.pending();
        const until = Date.now() + PENDING_DAYS * 864e5;
        list.push({ id: c.id, page: this.draftKey, parent, html: c.fragment, until, token: c.edit_token || null });
        keep(this.site + ":pending", list);
      } else if (!this.seenHere(c.id)) {
        this.count(1); // unless the stream told of it first, with the count
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
  },

  /* The post, tried once more after a second when the answer is lost or the server failed:
     the key makes the second try safe. */
  async post(data, key) {
    const path = "/api/v1/comments?fragment=" + this.lang;
    try {
      return await this.api("POST", path, data, { "Idempotency-Key": key });
    } catch (e) {
      if (!e.net && !(e.status >= 500)) throw e;
      await new Promise((go) => setTimeout(go, 1000));
      return this.api("POST", path, data, { "Idempotency-Key": key });
    }
  },

  busy(on) {
    this.form.querySelector(".cb-submit").disabled = on;
    this.form.setAttribute("aria-busy", String(on));
  },

  /* Toggle between writing and the server-rendered preview, in the form or in a comment
     being edited (null: the form, back to writing). */
  async preview(b) {
    const f = b ? b.closest(".cb-edit, .cb-form") : this.form;
    const toggle = f.querySelector(".cb-preview-toggle");
    const box = f.querySelector(".cb-preview");
    const area = f.querySelector("textarea");
    const on = !!b && toggle.getAttribute("aria-pressed") !== "true";
    if (on) {
      if (!area.value.trim()) box.textContent = this.t.preview_empty;
      else {
        try {
          const r = await this.api("POST", "/api/v1/preview", { site: this.site, body: area.value });
          box.replaceChildren(parse(r.html));
        } catch (e) {
          return this.fail(e, f.closest(".cb-edit") && toggle.parentNode);
        }
      }
    }
    area.hidden = on;
    box.hidden = !on;
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? this.t.write : this.t.preview;
  },

  edit(li) {
    const mine = this.mine()[li.dataset.id];
    const card = li.querySelector(":scope > .cb-card");
    if (!this.editable(mine) || card.querySelector(".cb-edit")) return;
    /* The text, its preview, and Preview · Cancel · Save (the primary, last as Post is in
       the form); the comment's own actions wait until editing ends. */
    const t = this.t;
    const box = node("div", "cb-edit");
    const area = node("textarea");
    const view = node("div", "cb-preview cb-text");
    const bar = node("div", "cb-buttons");
    area.value = mine.src || "";
    area.setAttribute("aria-label", t.body_label);
    view.hidden = true;
    bar.append(button("cb-preview-toggle", t.preview), button("cb-edit-cancel", t.cancel), button("cb-save", t.save));
    bar.firstChild.setAttribute("aria-pressed", "false");
    box.append(area, view, bar);
    for (const e of card.querySelectorAll(":scope > .cb-text, :scope > .cb-actions")) e.hidden = true;
    card.querySelector(".cb-text").after(box);
    area.focus();
  },

  endEdit(li) {
    const card = li.querySelector(":scope > .cb-card");
    const box = card.querySelector(".cb-edit");
    if (box) box.remove();
    for (const e of card.querySelectorAll(":scope > .cb-text, :scope > .cb-actions")) e.hidden = false;
    const again = card.querySelector(".cb-edit-btn");
    if (again) again.focus();
  },

  authorHeaders(id) {
    const mine = this.own()[id];
    return mine && mine.token ? { "X-Edit-Token": mine.token } : {};
  },

  async save(li, b) {
    const id = li.dataset.id;
    const source = li.querySelector(".cb-edit textarea").value;
    if (!source.trim()) return this.fail({ text: fmt(this.t.err_fields, { fields: this.t.body_label }) }, b.parentNode);
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
      this.say("saved", false, li.querySelector(":scope > .cb-card"));
      li.querySelector(".cb-card").focus();
    } catch (e) {
      b.disabled = false;
      this.fail(e, li.querySelector(".cb-edit"));
    }
  },

  async remove(li, b) {
    if (!b.dataset.sure) {
      b.dataset.sure = "1";
      b.textContent = this.t.confirm_delete;
      return;
    }
    const id = li.dataset.id;
    li.classList.add("cb-going"); // the stream's word on it waits for this answer
    try {
      await this.api("DELETE", "/api/v1/comments/" + id, null, this.authorHeaders(id));
    } catch (e) {
      return this.fail(e, li.querySelector(":scope > .cb-card"));
    } finally {
      li.classList.remove("cb-going");
    }
    const own = this.own();
    delete own[id];
    keep(this.site + ":own", own);
    if (this.theirs) delete this.theirs[id];
    keep(this.site + ":pending", this.pending().filter((p) => p.id !== +id));
    if (!li.matches(".cb-pending")) this.count(-1);
    const replies = li.querySelector(":scope > .cb-replies");
    const card = li.querySelector(":scope > .cb-card");
    this.say("removed", false, card); // where the comment was
    if (replies && replies.children.length) {
      li.classList.add("cb-deleted");
      card.replaceChildren(node("p", "cb-gone", this.t.deleted));
    } else {
      card.remove(); // the message stays in its place until the next action
      li.className = "cb-removed";
      li.removeAttribute("id");
    }
  },
});
