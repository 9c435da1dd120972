// Loopdesk forms: one post per click, a confirmation before what cannot be undone lightly,
// upload progress for attachments, and the caret on a refused place. Everything is
// optional: without script the forms post as usual (the server keeps what was typed).
(function () {
  "use strict";

  // A form shown again after a refusal was answered at its action's address; the page's
  // own address comes back, so reloading shows the page instead of posting again.
  var page = document.querySelector("form[data-page]");
  if (page && window.history && history.replaceState && location.pathname !== page.dataset.page) {
    history.replaceState(null, "", page.dataset.page + location.hash);
  }

  // The caret where the JSON broke or the refused value is.
  var broken = document.querySelector("textarea[data-error-line]");
  if (broken) {
    var lines = broken.value.split("\n"), line = Number(broken.dataset.errorLine) || 1;
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(0, (Number(broken.dataset.errorColumn) || 1) - 1);
    broken.focus();
    broken.setSelectionRange(at, at);
    // Roughly scroll the line into view.
    var lh = parseFloat(getComputedStyle(broken).lineHeight) || 18;
    broken.scrollTop = Math.max(0, (line - 5) * lh);
  }

  // `data-confirm` asks first; `data-confirm-if="name=value"` only when that field has
  // that value (the queue's bulk form asks before rejecting, not before assigning).
  function needsConfirm(form) {
    if (!form.dataset.confirm || form.dataset.confirmed) return false;
    var cond = form.dataset.confirmIf;
    if (!cond) return true;
    var kv = cond.split("="), el = form.elements[kv[0]];
    return !!el && el.value === kv[1];
  }

  function confirmFirst(form, submitter) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-text");
    var text = document.createElement("p");
    text.id = "confirm-text";
    text.textContent = form.dataset.confirm;
    var choice = document.createElement("form");
    choice.method = "dialog";
    var yes = document.createElement("button");
    yes.value = "yes"; yes.className = "danger"; yes.id = "confirm-yes";
    yes.textContent = (submitter && submitter.textContent.trim()) || "OK";
    var no = document.createElement("button");
    no.value = "no"; no.id = "confirm-no";
    no.textContent = form.dataset.cancel || "Cancel";
    choice.appendChild(no); choice.appendChild(yes);
    dialog.appendChild(text); dialog.appendChild(choice);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var ok = dialog.returnValue === "yes";
      dialog.remove();
      if (!ok) { if (submitter) submitter.focus(); return; }
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
    if (dialog.showModal) { dialog.showModal(); no.focus(); }
    else { dialog.remove(); if (window.confirm(form.dataset.confirm)) { form.dataset.confirmed = "1"; form.submit(); } }
  }

  // Large selected files, sent with progress; the answer replaces the page.
  function sendWithProgress(form, submitter) {
    var files = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"), function (i) { return i.files && i.files.length; });
    if (!files.length || !window.FormData || !window.XMLHttpRequest || !window.DOMParser) return false;
    // Small files go in a moment: the plain post is enough.
    var total = 0;
    files.forEach(function (i) { Array.prototype.forEach.call(i.files, function (f) { total += f.size; }); });
    if (total < (Number(form.dataset.progressAbove) || 0)) return false;
    var bar = document.getElementById(form.dataset.progress);
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    // The answer need not ask for the files again: they are put back below.
    xhr.setRequestHeader("X-Loopdesk-Keeps-Files", "1");
    if (bar) { bar.hidden = false; bar.value = 0; }
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total);
    });
    xhr.addEventListener("load", function () {
      var kept = {};
      files.forEach(function (i) { kept[i.name] = i.files; });
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = doc.title;
      document.body.className = doc.body.className;
      document.body.innerHTML = doc.body.innerHTML;
      Object.keys(kept).forEach(function (name) {
        var again = document.querySelector("input[type=file][name='" + name + "']");
        try { if (again) again.files = kept[name]; } catch (e) { /* an old browser: choose again */ }
      });
      var first = document.querySelector("[aria-invalid=true]") || document.querySelector("h1");
      window.scrollTo(0, 0);
      if (first) { if (!first.hasAttribute("tabindex") && first.tagName === "H1") first.setAttribute("tabindex", "-1"); first.focus(); }
    });
    // A network failure: the plain post, which shows the browser's own error.
    xhr.addEventListener("error", function () { form.dataset.sent = ""; HTMLFormElement.prototype.submit.call(form); });
    xhr.send(data);
    return true;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post" || e.defaultPrevented) return;
    var submitter = e.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (needsConfirm(form)) { e.preventDefault(); confirmFirst(form, submitter); return; }
    // One post per form: a second click (or Enter) while the first is on its way is dropped.
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
    form.removeAttribute("data-confirmed");
    if (form.dataset.progress && sendWithProgress(form, submitter)) e.preventDefault();
    // Disabled after the browser has read the form (a disabled button's value is not sent).
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
        if (b === submitter && b.dataset.busy) b.textContent = b.dataset.busy;
      });
      form.setAttribute("aria-busy", "true");
    }, 0);
  });

  // Back to a page from the browser's cache: its forms work again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (f) {
      f.removeAttribute("data-sent"); f.removeAttribute("aria-busy");
      f.querySelectorAll("button[disabled], input[type=submit][disabled]").forEach(function (b) { b.disabled = false; });
    });
  });
})();
