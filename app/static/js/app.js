// Gute Schule: small progressive enhancements (no inline scripts, CSP-safe).
// Everything works without this file; it only adds comfort.
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before they submit (delete buttons).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Selects marked data-autosubmit submit their form when changed (filters).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // A failed form: focus its error summary, so screen readers announce it and the
  // keyboard starts there; its links focus the field and show the field's label.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.querySelectorAll("[data-error-summary] a[data-field]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const input = document.getElementById(link.dataset.field);
      if (!input) return;
      event.preventDefault();
      const box = input.closest(".field") || input;
      box.scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  });

  // Tables scroll sideways inside their container on narrow screens. A container that
  // does scroll becomes a named, focusable region, so the keyboard can scroll it.
  const scrollers = document.querySelectorAll(".table-scroll");
  const nameOf = (scroller) => {
    const caption = scroller.querySelector("caption");
    if (caption) return caption.textContent.trim();
    let node = scroller.previousElementSibling;
    while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling;
    if (!node) {
      const section = scroller.closest("section, .card, details");
      node = section && section.querySelector("h1, h2, h3, summary");
    }
    return node ? node.textContent.trim() : document.title;
  };
  const markScrollable = () => {
    scrollers.forEach((scroller) => {
      if (scroller.scrollWidth > scroller.clientWidth + 1) {
        scroller.setAttribute("tabindex", "0");
        scroller.setAttribute("role", "region");
        scroller.setAttribute("aria-label", nameOf(scroller));
      } else if (scroller.getAttribute("role") === "region") {
        scroller.removeAttribute("tabindex");
        scroller.removeAttribute("role");
        scroller.removeAttribute("aria-label");
      }
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);
});

// School pickers: a search box above the checkbox list hides the schools that do not
// match; a polite live region says how many are shown and chosen.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-picker]").forEach((picker, index) => {
    const list = picker.querySelector(".picker-options");
    const items = Array.from(list.querySelectorAll("li"));
    const box = document.createElement("div");
    box.className = "picker-search";
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "search";
    input.id = `picker-search-${index + 1}`;
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.textContent = picker.dataset.searchLabel;
    const status = document.createElement("p");
    status.className = "hint picker-status";
    status.setAttribute("aria-live", "polite");
    status.id = `${input.id}-status`;
    input.setAttribute("aria-describedby", status.id);
    box.append(label, input, status);
    list.before(box);
    const update = () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      items.forEach((item) => {
        const text = item.textContent.toLowerCase();
        const match = words.every((word) => text.includes(word));
        const checked = item.querySelector("input").checked;
        item.hidden = !match && !checked;
        if (!item.hidden) shown += 1;
      });
      const chosen = list.querySelectorAll("input:checked").length;
      status.textContent = picker.dataset.countText
        .replace("{shown}", shown)
        .replace("{total}", items.length)
        .replace("{chosen}", chosen);
    };
    input.addEventListener("input", update);
    list.addEventListener("change", update);
    // Enter in the search box must not submit the form.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    update();
  });
});
