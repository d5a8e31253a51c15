/* The search page's language links keep its query (docs/_ext/language_switcher.py). */
"use strict";

document.querySelectorAll("a.language-link").forEach((link) => {
  const url = new URL(link.href);
  url.search = window.location.search;
  link.href = url.href;
});
