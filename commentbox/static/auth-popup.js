// The last page of a sign-in popup: hand the result to the page that opened it, then close.
// The target origin comes from the server (the origin registered with the login id); a
// message is never sent to "*", so no other page can read the token.
(() => {
  "use strict";
  const root = document.getElementById("commentbox-auth");
  if (!root) return;
  const origin = root.dataset.origin || "";
  document.getElementById("close")?.addEventListener("click", () => window.close());
  let message = null;
  try {
    message = JSON.parse(root.dataset.message || "null");
  } catch {
    message = null;
  }
  if (message && window.opener && /^https?:\/\/[^/*\s]+$/.test(origin)) {
    try {
      window.opener.postMessage(message, origin);
    } catch {
      // The opener navigated away or was severed; the page still redeems the login id by polling.
    }
  }
  if (root.dataset.close === "1") window.close();
})();
