// errata serve: a little script that makes the pages quicker to use. Every page
// works without it; the Content-Security-Policy allows only this file.
//
// Selecting words in an episode's transcript puts them, exactly as written, in
// the "Log a claim" form's quote, so an editor logs what was said by pointing at it.
"use strict";
document.addEventListener("mouseup", function () {
  var sel = window.getSelection();
  var text = sel ? sel.toString().replace(/\s+/g, " ").trim() : "";
  var transcript = document.querySelector(".transcript");
  var quote = document.querySelector("form textarea[name=quote]");
  if (!text || !transcript || !quote || !transcript.contains(sel.anchorNode)) {
    return;
  }
  quote.value = text;
  quote.focus();
});
