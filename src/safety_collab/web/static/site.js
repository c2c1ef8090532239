// Progressive enhancement: while a new proposal is typed, show the similar proposals
// already in the exchange. Without scripts the form's check step shows them instead.
"use strict";
(function () {
  const form = document.getElementById("proposal-form");
  const box = document.getElementById("live-similar");
  if (!form || !box) return;
  const fields = ["title", "summary"].map((id) => document.getElementById(id));
  let timer = null;
  function show(items) {
    box.replaceChildren();
    if (!items.length) return;
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = "Similar proposals already in the exchange: ";
    items.forEach((item, i) => {
      const a = document.createElement("a");
      a.href = "/proposals/" + encodeURIComponent(item.proposal);
      a.textContent = item.title + " (" + item.score.toFixed(2) + ")";
      if (i) p.append(", ");
      p.append(a);
    });
    box.append(p);
  }
  async function check() {
    const text = fields.map((f) => (f ? f.value : "")).join(" ").trim();
    if (text.length < 8) { show([]); return; }
    try {
      const r = await fetch("/api/similar?text=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (r.ok) show(await r.json());
    } catch (_err) { /* the check step on the server still shows them */ }
  }
  fields.forEach((f) => f && f.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }));
})();
