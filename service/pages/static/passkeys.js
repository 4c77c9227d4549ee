// Passkeys on the hosted sign-in pages: the one script the service serves, allowed by name in
// the pages' Content-Security-Policy. Without it, or without WebAuthn in the browser, every
// page works as before and the passkey button stays hidden.
(function () {
  "use strict";
  var block = document.getElementById("passkey");
  if (!block || !window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  var form = document.getElementById("passkey-form");
  var button = document.getElementById("passkey-button");
  var problem = document.getElementById("passkey-problem");
  var options = JSON.parse(block.getAttribute("data-options"));

  function toBytes(text) {
    var padded = text.replace(/-/g, "+").replace(/_/g, "/");
    while (padded.length % 4) {
      padded += "=";
    }
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i += 1) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  options.challenge = toBytes(options.challenge);
  (options.allowCredentials || []).forEach(function (allowed) {
    allowed.id = toBytes(allowed.id);
  });

  function send(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        authenticatorData: toText(response.authenticatorData),
        signature: toText(response.signature),
        userHandle: response.userHandle ? toText(response.userHandle) : null
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null
    };
    form.elements.passkey.value = JSON.stringify(answer);
    form.submit();
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    problem.hidden = true;
    navigator.credentials.get({ publicKey: options }).then(send, function () {
      problem.hidden = false;
    });
  });
})();
