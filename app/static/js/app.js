// Gute Schule: small progressive enhancements (no inline scripts, CSP-safe).
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
});
