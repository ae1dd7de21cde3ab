// Passkeys (WebAuthn) for the forms marked `data-passkey="<options URL>"`: asks the server for a
// ceremony, lets the browser run it, and posts the answer in the form's hidden fields. Without
// scripts (or WebAuthn) the forms stay hidden and the authenticator-app forms do the job.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function bytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out.buffer;
  }

  function text(buffer) {
    var view = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < view.length; i++) {
      raw += String.fromCharCode(view[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: bytes(c.id) });
    });
  }

  function create(publicKey) {
    publicKey.challenge = bytes(publicKey.challenge);
    publicKey.user.id = bytes(publicKey.user.id);
    publicKey.excludeCredentials = withIds(publicKey.excludeCredentials);
    return navigator.credentials.create({ publicKey: publicKey }).then(function (c) {
      return {
        id: c.id,
        rawId: text(c.rawId),
        type: c.type,
        response: {
          attestationObject: text(c.response.attestationObject),
          clientDataJSON: text(c.response.clientDataJSON)
        },
        extensions: c.getClientExtensionResults()
      };
    });
  }

  function get(publicKey) {
    publicKey.challenge = bytes(publicKey.challenge);
    publicKey.allowCredentials = withIds(publicKey.allowCredentials);
    return navigator.credentials.get({ publicKey: publicKey }).then(function (c) {
      return {
        id: c.id,
        rawId: text(c.rawId),
        type: c.type,
        response: {
          authenticatorData: text(c.response.authenticatorData),
          clientDataJSON: text(c.response.clientDataJSON),
          signature: text(c.response.signature),
          userHandle: c.response.userHandle ? text(c.response.userHandle) : null
        },
        extensions: c.getClientExtensionResults()
      };
    });
  }

  function start(form, status) {
    var body = new URLSearchParams();
    body.set("csrf", form.elements.csrf.value);
    status.textContent = "Waiting for your passkey…";
    return fetch(form.getAttribute("data-passkey"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (res) {
        return res.json().then(function (data) {
          if (!res.ok) {
            throw new Error(data.error ? data.error.message : "The server refused.");
          }
          return data;
        });
      })
      .then(function (data) {
        var run = form.getAttribute("data-ceremony") === "create" ? create : get;
        return run(data.options.publicKey).then(function (answer) {
          form.elements.ceremony.value = data.ceremony;
          form.elements.credential.value = JSON.stringify(answer);
          status.textContent = "Checking…";
          form.submit();
        });
      });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var status = form.querySelector("[data-passkey-status]");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      start(form, status).catch(function (error) {
        status.textContent =
          error && error.name === "NotAllowedError"
            ? "The passkey was not used (cancelled or timed out). Try again."
            : (error && error.message) || "The passkey did not work. Try again.";
      });
    });
  });
})();
