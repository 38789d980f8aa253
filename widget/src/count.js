/* commentbox count.js: writes "N comments" into every element with data-commentbox-count
 * (a page URL, relative to this page) or data-commentbox-page-id, with one request for up
 * to 100 pages. Strings come from the catalogues (built in), plural forms from Intl; zero reads as the widget's heading ("No comments yet"). */
(() => {
  const s = document.currentScript;
  const base = s.src.replace(/\/count\.js([?#].*)?$/, "");
  const forms = __COUNTS__;
  let lang = (s.dataset.lang || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  if (!forms[lang]) lang = "en";
  const rules = new Intl.PluralRules(lang);
  const items = [...document.querySelectorAll("[data-commentbox-count],[data-commentbox-page-id]")].map((e) => {
    const id = e.dataset.commentboxPageId;
    return [e, id ? ["page_id", id] : ["url", new URL(e.dataset.commentboxCount, location.href).href.replace(/#.*$/, "")]];
  });
  const keys = [...new Set(items.map(([, k]) => k.join("\n")))].map((k) => k.split("\n"));
  for (let i = 0; i < keys.length; i += 100) {
    const q = new URLSearchParams({ site: s.dataset.site });
    for (const [name, value] of keys.slice(i, i + 100)) q.append(name, value);
    fetch(base + "/api/v1/counts?" + q, { credentials: "omit" })
      .then((r) => r.json())
      .then((d) => {
        for (const [e, [, key]] of items) {
          const n = d.counts[key];
          if (n != null) e.textContent = n ? (forms[lang][rules.select(n)] || forms[lang].other).replace("{n}", n) : forms[lang].none;
        }
      })
      .catch(() => {});
  }
})();
