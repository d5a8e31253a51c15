/* Search result snippets without raw TeX (see docs/_ext/search_snippets.py).
 *
 * Before Sphinx cuts a snippet from a page's text, each formula of the page is
 * replaced by a plain-text reading of it ("\(\eta\)" becomes "η"), or by "…"
 * when it has no short reading (a fraction, a matrix).
 */
"use strict";

(() => {
  if (typeof Search === "undefined") return;

  const SYMBOLS = {
    alpha: "α", beta: "β", delta: "δ", epsilon: "ε", eta: "η", lambda: "λ",
    mu: "μ", pi: "π", sigma: "σ", theta: "θ", nabla: "∇", partial: "∂",
    times: "×", cdot: "·", approx: "≈", le: "≤", leq: "≤", ge: "≥", geq: "≥",
    ne: "≠", neq: "≠", pm: "±", infty: "∞", to: "→", leftarrow: "←",
    rightarrow: "→", top: "ᵀ", lVert: "‖", rVert: "‖", ldots: "…", dots: "…",
    sin: "sin", cos: "cos", tan: "tan", exp: "exp", log: "log", lim: "lim",
    max: "max", min: "min", left: "", right: "", big: "", Big: "",
  };

  const plainText = (tex) => {
    const text = tex
      .trim()
      .replace(/^\\[([]|\\[)\]]$/g, "")
      .replace(/\\operatorname\{([^{}]*)\}/g, "$1")
      .replace(/\\(?:,|;|:|!|quad|qquad)/g, " ")
      .replace(/\\([A-Za-z]+)/g, (match, name) => SYMBOLS[name] ?? match)
      .replace(/[{}]/g, "")
      .replace(/\^ᵀ/g, "ᵀ")
      .replace(/\s+/g, " ")
      .trim();
    return text.includes("\\") ? "…" : text;
  };

  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(".math").forEach((formula) => {
      formula.replaceWith(page.createTextNode(plainText(formula.textContent)));
    });
    // An anchor is an id, and numgrad's API ids have dots in them
    // ("#numgrad.numerical_gradient"): Sphinx puts it into a CSS selector as it
    // is, where the dot would mean a class, so it finds nothing and warns.
    const selector = anchor && anchor.startsWith("#") ? `#${CSS.escape(anchor.slice(1))}` : anchor;
    return htmlToText(page.documentElement.outerHTML, selector);
  };
})();
