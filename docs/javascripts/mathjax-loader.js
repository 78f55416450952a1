// MathJax for the Markdown pages (pymdownx.arithmatex, generic: \( \) and \[ \] in .arithmatex spans).
// Notebook pages load the same MathJax 2.7.7 themselves (mkdocs-jupyter's custom_mathjax_url in mkdocs.yml),
// earlier in the page, so it is added here only where it is not there yet: one copy per page.
if (!window.MathJax) {
  var script = document.createElement("script");
  script.src = "https://cdn.jsdelivr.net/npm/mathjax@2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe";
  document.head.appendChild(script);
}
