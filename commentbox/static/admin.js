// The moderation queue's keyboard: j / k move between comments, a / s / d approve, mark as
// spam or trash the current one (r restores it in the trash), x ticks it for the bulk
// buttons, Enter opens it. Each key presses one of the row's own buttons, so the keyboard
// does exactly what a click does, and the page works the same without this script.
// After an action reloads the list, the comment at the same place is current again.
(() => {
  "use strict";
  const KEY = "commentbox-admin-row";
  const rows = () => Array.from(document.querySelectorAll("li.comment[data-id]"));
  let current = -1;

  function select(index) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, n) => row.classList.toggle("current", n === current));
    list[current].focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.closest("textarea, select, [contenteditable]")) return true;
    return target.matches("input") && !["checkbox", "radio", "button", "submit"].includes(target.type);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) return;
    const row = rows()[current];
    if (event.key === "j") select(current + 1);
    else if (event.key === "k") select(current < 0 ? 0 : current - 1);
    else if (!row) return;
    else if (event.key === "x") row.querySelector("input[name=ids]").click();
    else if (event.key === "Enter" && event.target === row) row.querySelector("a.open").click();
    else {
      const button = row.querySelector(`button[data-key="${event.key}"]`);
      if (!button) return;
      sessionStorage.setItem(KEY, String(current));
      button.click();
    }
    event.preventDefault();
  });

  // A click in a row makes it current, so the keys go on from where the mouse was.
  document.addEventListener("focusin", (event) => {
    const row = event.target instanceof Element ? event.target.closest("li.comment[data-id]") : null;
    if (!row) return;
    current = rows().indexOf(row);
    rows().forEach((r, n) => r.classList.toggle("current", n === current));
  });

  const kept = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (kept !== null) select(Number(kept));
})();
