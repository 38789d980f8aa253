/* main.js: window.Commentbox (init, destroy) and the start from the script tag. */
const fromScript = () => {
  const d = (script && script.dataset) || {};
  return { site: d.site, pageId: d.pageId, pageUrl: d.pageUrl, title: d.pageTitle, lang: d.lang, theme: d.theme, formPosition: d.formPosition, feed: d.feed };
};

W.Commentbox = Object.freeze({
  /* Mount the widget into element (an Element or a selector); options override the
     script tag's data-* attributes: site, pageId, pageUrl, title, lang, theme, sort, formPosition, feed. */
  init(element, options) {
    const host = typeof element === "string" ? document.querySelector(element) : element;
    if (!host) throw new Error("commentbox: no element " + element);
    this.destroy(host);
    const o = { ...fromScript() };
    for (const [k, v] of Object.entries(options || {})) if (v != null) o[k] = v;
    if (!o.site) throw new Error("commentbox: give data-site or options.site");
    o.pageUrl = o.pageUrl || location.href;
    o.title = (o.title || document.title).slice(0, 300); // as the server keeps it
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
