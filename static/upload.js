// Uploads on the pages. A file larger than the portal accepts (the input's data-max-bytes), or
// more files than it takes (data-max-files), is refused beside its field before anything is
// sent; a form that sends files shows how much has gone, then shows the page the portal answers
// with. Without JavaScript the forms work as plain forms and the portal refuses the same files.
(function () {
  "use strict";

  function mib(bytes) {
    return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0) + " MiB";
  }

  function note(input) {
    var id = input.id + "-size";
    var found = document.getElementById(id);
    if (!found) {
      found = document.createElement("span");
      found.id = id;
      found.className = "error";
      found.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", found);
    }
    return found;
  }

  // The refusal for the chosen files, or "" when the portal would take them.
  function refusal(input) {
    var max = Number(input.dataset.maxBytes || 0);
    var most = Number(input.dataset.maxFiles || 0);
    var files = Array.prototype.slice.call(input.files || []);
    if (most && files.length > most) {
      return "Choose at most " + most + " files: " + files.length + " are chosen. Nothing was sent.";
    }
    var big = files.filter(function (f) { return max && f.size > max; });
    if (big.length) {
      return "“" + big[0].name + "” is " + mib(big[0].size) + ": the portal accepts files up to " +
        mib(max) + ". Nothing was sent.";
    }
    return "";
  }

  function check(input) {
    var message = refusal(input);
    input.setCustomValidity(message);
    var field = input.closest(".field");
    if (message) {
      note(input).textContent = message;
      input.setAttribute("aria-invalid", "true");
      if (field) { field.classList.add("has-error"); }
    } else {
      var shown = document.getElementById(input.id + "-size");
      if (shown) { shown.remove(); }
      input.removeAttribute("aria-invalid");
    }
    return !message;
  }

  function chosenBytes(form) {
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { total += f.size; });
    });
    return total;
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var total = chosenBytes(form);
    var status = document.createElement("p");
    status.className = "upload-progress";
    status.setAttribute("role", "status");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var text = document.createElement("span");
    text.textContent = " Sending " + mib(total) + " …";
    status.appendChild(bar);
    status.appendChild(text);
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    buttons.forEach(function (b) { b.disabled = true; });
    (submitter || buttons[0] || form.lastChild).insertAdjacentElement("beforebegin", status);

    var xhr = new XMLHttpRequest();
    // Read as attributes: a field named "action" or "method" would shadow the form's properties.
    var target = new URL(form.getAttribute("action") || "", document.baseURI).href;
    xhr.open((form.getAttribute("method") || "post").toUpperCase(), target);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      text.textContent = " Sent " + mib(e.loaded) + " of " + mib(e.total) + " (" + percent + " %)" +
        (percent === 100 ? ": the portal is checking the files …" : "");
    });
    xhr.addEventListener("load", function () {
      // The page the portal answered with (after its redirect, if any), as a plain form shows it.
      var url = xhr.responseURL;
      document.open();
      document.write(xhr.responseText);
      document.close();
      if (url) { history.replaceState(null, "", url); }
    });
    xhr.addEventListener("error", function () {
      buttons.forEach(function (b) { b.disabled = false; });
      bar.remove();
      text.textContent = "The connection dropped before the files were sent; nothing was filed. Try again.";
      status.className = "error";
    });
    xhr.send(data);
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { check(input); });
  });

  document.querySelectorAll("form[enctype='multipart/form-data']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var ok = true;
      form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
        ok = check(input) && ok;
      });
      if (!ok) {
        event.preventDefault();
        return;
      }
      if (chosenBytes(form) === 0 || !window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      send(form, event.submitter);
    });
  });
})();
