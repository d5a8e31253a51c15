// Display math that is wider than its box scrolls sideways in it
// (wide-content.css): a keyboard reaches it with Tab and scrolls it with the
// arrow keys. MathJax's menu, which made every formula focusable, is not
// loaded (docs/_ext/mathjax_files.py), so this does.
window.addEventListener("load", () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return;
  MathJax.startup.promise.then(() => {
    for (const box of document.querySelectorAll('div.math mjx-container[display="true"]')) {
      box.tabIndex = 0;
    }
  });
});
