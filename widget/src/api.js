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
    const name = { body: "body", "author.name": "name", "author.email": "email", "author.website": "website" }[field];
    return name && this.t[name + "_label"];
  },

  say(text, bad) {
    this.status.textContent = this.t[text] || text;
    this.status.classList.toggle("cb-bad", !!bad);
  },

  fail(e) {
    this.say(this.message(e), true);
    if (e.status === 422 && e.p.errors) {
      const first = e.p.errors.map((x) => this.form.elements[x.field.replace("author.", "")]).find(Boolean);
      if (first) {
        first.setAttribute("aria-invalid", "true");
        first.focus();
      }
    }
  },
});
