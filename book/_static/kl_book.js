// MathJax 3 does not break long inline formulas across lines. On a narrow
// screen, an inline formula wider than its paragraph gets a horizontal
// scrollbar of its own instead of running off the page; formulas that fit are
// left untouched (their baseline alignment stays as MathJax set it).
(function () {
  function fitInlineMath() {
    for (const math of document.querySelectorAll("mjx-container:not([display='true'])")) {
      math.classList.remove("kl-math-scroll");
      const box = math.parentElement && math.parentElement.closest("p, li, dd, dt, td, th, div, figcaption");
      if (box && math.getBoundingClientRect().width > box.clientWidth) {
        math.classList.add("kl-math-scroll");
      }
    }
  }
  function start() {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
    MathJax.startup.promise.then(fitInlineMath);
    let pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(fitInlineMath, 100);
    });
  }
  window.addEventListener("load", start);
})();
