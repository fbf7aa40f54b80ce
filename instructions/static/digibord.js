// Digibord mode: one slide at a time; arrow keys / space move, Esc leaves.
(function () {
  "use strict";
  var deck = document.querySelector(".slides");
  if (!deck) { return; }
  var slides = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
  var counter = deck.querySelector("[data-counter]");
  var index = 0;

  function go(to) {
    index = Math.max(0, Math.min(slides.length - 1, to));
    slides.forEach(function (slide, i) { slide.hidden = i !== index; });
    if (counter) { counter.textContent = (index + 1) + " / " + slides.length; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "PageDown" || event.key === " ") {
      event.preventDefault(); go(index + 1);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault(); go(index - 1);
    } else if (event.key === "Home") { go(0); }
    else if (event.key === "End") { go(slides.length - 1); }
    else if (event.key === "Escape" && !document.fullscreenElement) {
      window.location.href = deck.dataset.exit;
    }
  });
  deck.querySelector("[data-prev]").addEventListener("click", function () { go(index - 1); });
  deck.querySelector("[data-next]").addEventListener("click", function () { go(index + 1); });
  var full = deck.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
  } else if (full) { full.hidden = true; }
  go(0);
})();
