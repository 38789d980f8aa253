/* api.js: talking to the server, and a human sentence for any failure. */
Object.assign(Widget.prototype, {
  token() {
    return raw(this.site + ":token");
  },

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
  },

  /* A human sentence for any failure: never raw JSON or a stack trace. */
  message(e) {
    const t = this.t;
    if (e.text) return e.text;
    if (e.net) return t.err_network;
    if (e.status >= 500) return fmt(t.err_server, { status: e.status }); // it answered: not the network
    if (e.status === 429) return fmt(t.err_rate, { seconds: parseInt(e.retry, 10) || 60 });
    if (e.status === 413) return t.err_too_long;
    const errors = (e.p && Array.isArray(e.p.errors) && e.p.errors) || [];
    if (e.status === 422 && errors.length) {
      if (errors.some((x) => /at most/.test(x.message))) return t.err_too_long;
      const labels = errors.map((x) => this.label(x.field)).filter(Boolean);
      if (labels.length) return fmt(t.err_fields, { fields: [...new Set(labels)].join(", ") });
    }
    return (e.status < 500 && e.p && typeof e.p.detail === "string" && e.p.detail) || t.err_generic;
  },

  label(field) {
    const name = field.replace("author.", "");
    return /^(body|name|email|website)$/.test(name) && this.t[name + "_label"];
  },

  /* A status message next to what it is about: the form's own line, or a new one right
     after `near` (a comment's card, the list, the sort bar). The next action clears it. */
  say(text, bad, near) {
    this.hush();
    let box = this.status;
    if (near) {
      box = node("p", "cb-msg");
      box.setAttribute("role", bad ? "alert" : "status");
      near.after(box);
    }
    box.textContent = this.t[text] || text;
    box.classList.toggle("cb-bad", !!bad);
  },

  hush() {
    for (const m of this.root.querySelectorAll(".cb-msg, .cb-removed")) m.remove();
    this.status.textContent = "";
  },

  fail(e, near) {
    this.say(this.message(e), true, near);
    if (e.status === 422 && e.p.errors) this.flag(e.p.errors.map((x) => this.form.elements[x.field.replace("author.", "")]));
  },

  /* Fields marked invalid, the first one focused; the sentence names them all. */
  flag(fields) {
    fields = fields.filter(Boolean);
    for (const x of fields) x.setAttribute("aria-invalid", "true");
    if (fields[0]) fields[0].focus();
  },

  /* The widget's own validation (the form is novalidate: no native bubbles), in its language. */
  invalid() {
    const bad = [...this.form.elements].filter((x) => x.willValidate && !x.validity.valid);
    if (!bad.length) return false;
    this.say(fmt(this.t.err_fields, { fields: [...new Set(bad.map((x) => this.label(x.name)))].join(", ") }), true);
    this.flag(bad);
    return true;
  },
});
