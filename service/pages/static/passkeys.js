// Passkeys on the hosted pages: the one script the service serves, allowed by name in the
// pages' Content-Security-Policy. It uses a passkey (data-mode "get": signing in, a second
// factor) or creates one (data-mode "create": the account's security page). Without it, or
// without WebAuthn in the browser, every page works as before and the button stays hidden.
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

  var creating = block.getAttribute("data-mode") === "create";
  options.challenge = toBytes(options.challenge);
  (options.allowCredentials || options.excludeCredentials || []).forEach(function (known) {
    known.id = toBytes(known.id);
  });
  if (creating) {
    options.user.id = toBytes(options.user.id);
  }

  function sendCreated(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        attestationObject: toText(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : []
      },
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null
    };
    form.elements.passkey.value = JSON.stringify(answer);
    form.submit();
  }

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
    var asked = creating
      ? navigator.credentials.create({ publicKey: options }).then(sendCreated)
      : navigator.credentials.get({ publicKey: options }).then(send);
    asked.catch(function () {
      problem.hidden = false;
    });
  });
})();
