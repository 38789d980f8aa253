/* signin.js: signing in and out (popup + postMessage + polling, full-page fallback). */
Object.assign(Widget.prototype, {
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
      /* The avatar, the provider's logo (the one its sign-in button wears), who, and the
         ways out: Change (another provider, or the guest form), Log out, everywhere; and
         the page of what this server holds about them (myData). */
      const provider = PROVIDERS[user.provider] || user.provider;
      const logo = f.querySelector(".cb-provider-" + user.provider + " .cb-logo");
      line.replaceChildren(
        avatar(user.avatar, user.identicon),
        ...(logo ? [logo.cloneNode(true)] : []),
        node("span", "", fmt(this.t.commenting_as, { name: user.name, provider })),
        " · ",
        button("cb-change", this.t.change),
        " · ",
        button("cb-logout", this.t.logout),
        " · ",
        button("cb-logout-all", this.t.logout_everywhere),
        " · ",
        button("cb-mydata", this.t.my_data)
      );
    }
  },

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
  },

  async redeem(login) {
    return this.api("POST", "/auth/logins/" + enc(login) + "/redeem").then((r) => (r && r.token ? r : null));
  },

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
  },

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
  },

  /* Where the server can mail, a guest may prove their mailbox instead: "Verify my email"
     under the address field mails a one-time link; opened anywhere, it signs this page in
     (collected by the same poll as a provider's popup, for the link's 30 minutes). */
  offerMail() {
    const field = this.form.elements.email.closest(".cb-field");
    if (this.config.email_sign_in && !this.form.querySelector(".cb-verify")) field.after(button("cb-verify", this.t.verify_email));
  },

  async verifyMail(b) {
    const x = this.form.elements;
    const bad = [x.email, x.name].filter((e) => !e.validity.valid);
    if (bad.length) {
      this.say(fmt(this.t.err_fields, { fields: bad.map((e) => this.label(e.name)).join(", ") }), true, b);
      return this.flag(bad);
    }
    try {
      const { login } = await this.api("POST", "/auth/logins", { site: this.site, origin: location.origin });
      await this.api("POST", "/api/v1/guests/verify", { site: this.site, login, email: x.email.value.trim(), name: x.name.value.trim() });
      this.say("verify_sent", false, b);
      this.watch(login, null);
    } catch (e) {
      this.fail(e, b);
    }
  },

  /* Whichever comes first wins: the callback's postMessage, or polling the redeem URL
     (popup null: a mailed link, polled every second for its 30 minutes). */
  watch(login, popup) {
    let done = false;
    let closedFor = 0;
    let ticks = 0;
    let told = false;
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
         closed while the person is still reading it, so keep polling for a while. Closed
         with this page in focus, the person is back here: say so (the guest form is there). */
      closedFor = popup && popup.closed ? closedFor + 1 : 0;
      if (done) return;
      if (closedFor && !told && document.hasFocus()) {
        told = true;
        this.say("signin_closed");
      }
      if (closedFor > 120 || ++ticks > (popup ? 900 : 1800)) {
        end();
        return this.say(closedFor ? "signin_closed" : "");
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
  },

  /* "Your comments and data": the server's own page, opened top-level with a one-time
     ticket (the page cannot read the token, which lives in the blog's storage). The window
     opens at the click, before the request, so no popup blocker stands in the way. */
  async myData() {
    const w = W.open("", "_blank");
    if (w) w.opener = null;
    try {
      const r = await this.api("POST", "/api/v1/me/page", { site: this.site });
      if (w) w.location = r.url;
      else location.href = r.url;
    } catch (e) {
      if (w) w.close();
      this.say(this.message(e), true);
    }
  },

  /* everywhere: end every session of this account (other browsers and devices too).
     change: the same for this session, then the choices are in front (another provider,
     or the guest form). */
  async logout(everywhere, change) {
    try {
      await this.api("POST", everywhere ? "/auth/logout?everywhere=1" : "/auth/logout");
    } catch (e) {
      /* signed out locally either way */
    }
    raw(this.site + ":token", null);
    this.setUser(null);
    this.say(change ? "change_hint" : everywhere ? "signed_out_everywhere" : "signed_out");
    if (change) (this.form.querySelector(".cb-provider") || this.form.elements.name).focus();
  },
});
