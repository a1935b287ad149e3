/* keydesk activation portal: the page's one script.
 *
 * On submit: POST the code, get WebAuthn creation options back, let the
 * browser make the credential (navigator.credentials.create), POST it,
 * show the answer in #status.  document.title then starts with "Active"
 * or "Error", which is what tests (and screen readers' title announce)
 * wait for.  Binary fields travel as base64url, as the server sends and
 * expects them.  The URLs come from data- attributes on <main>: the
 * page's Content-Security-Policy allows no inline script. */
"use strict";

(function () {
	var main = document.getElementById("portal");
	var form = document.getElementById("form");
	if (!main || !form) {
		return;	/* a closed link's page: nothing to do */
	}
	var button = document.getElementById("go");
	var input = document.getElementById("code");
	var status = document.getElementById("status");
	var baseTitle = document.title;
	var busy = false;

	function fromB64url(s) {
		var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
		var bin = atob(b64 + "===".slice((b64.length + 3) % 4));
		var out = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) {
			out[i] = bin.charCodeAt(i);
		}
		return out.buffer;
	}

	function toB64url(buf) {
		var bytes = new Uint8Array(buf), bin = "";
		for (var i = 0; i < bytes.length; i++) {
			bin += String.fromCharCode(bytes[i]);
		}
		return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_")
		    .replace(/=+$/, "");
	}

	function show(kind, text) {
		status.className = "status" + (kind ? " " + kind : "");
		status.textContent = text;
	}

	function finish(ok, text) {
		show(ok ? "ok" : "error", text);
		document.title = (ok ? "Active" : "Error") + " \u2013 " +
		    baseTitle;
	}

	/* POSTs JSON; answers the server's JSON, or an error of our own. */
	async function post(url, body) {
		var resp;
		try {
			resp = await fetch(url, {
				method: "POST",
				headers: {
					"Content-Type": "application/json",
					"Accept": "application/json"
				},
				body: JSON.stringify(body),
				cache: "no-store",
				credentials: "omit",
				referrerPolicy: "no-referrer"
			});
		} catch (e) {
			return { ok: false, error: "The activation service " +
			    "could not be reached. Check your connection " +
			    "and try again." };
		}
		try {
			return await resp.json();
		} catch (e) {
			return { ok: false, error: "The activation service " +
			    "answered " + resp.status + ". Try again in a " +
			    "minute." };
		}
	}

	function creationOptions(pk) {
		pk.challenge = fromB64url(pk.challenge);
		pk.user.id = fromB64url(pk.user.id);
		return { publicKey: pk };
	}

	function registration(cred) {
		var r = cred.response;
		return {
			id: cred.id,
			rawId: toB64url(cred.rawId),
			type: cred.type,
			response: {
				attestationObject: toB64url(r.attestationObject),
				clientDataJSON: toB64url(r.clientDataJSON),
				transports: typeof r.getTransports === "function" ?
				    r.getTransports() : []
			}
		};
	}

	function createFailed(e) {
		if (e && e.name === "NotAllowedError") {
			return "The browser did not register the key " +
			    "(cancelled, timed out, or the key could not " +
			    "verify you). Try again.";
		}
		if (e && e.name === "InvalidStateError") {
			return "This key is already registered. Use another " +
			    "key, or ask your IT helpdesk.";
		}
		return "The browser could not register the key" +
		    (e && e.message ? ": " + e.message : ".") + " Try again.";
	}

	/* One attempt; true when the key is active. */
	async function activate() {
		var code = input.value.trim();
		if (code === "") {
			finish(false, "Enter the code from the email first.");
			input.focus();
			return false;
		}
		if (!window.PublicKeyCredential || !navigator.credentials) {
			finish(false, "This browser cannot register security " +
			    "keys here (it needs https:// and a current " +
			    "browser). Open the link in another browser.");
			return false;
		}
		show("", "Checking the code\u2026");
		var ans = await post(main.dataset.codeUrl, { code: code });
		if (!ans.ok) {
			finish(false, ans.error);
			return false;
		}
		show("", "Follow your browser: it asks for your key now\u2026");
		var cred;
		try {
			cred = await navigator.credentials.create(
			    creationOptions(ans.publicKey));
		} catch (e) {
			finish(false, createFailed(e));
			return false;
		}
		if (!cred) {
			finish(false, createFailed(null));
			return false;
		}
		show("", "Recording your key\u2026");
		ans = await post(main.dataset.registerUrl, registration(cred));
		finish(!!ans.ok, ans.ok ? ans.message : ans.error);
		return !!ans.ok;
	}

	form.addEventListener("submit", async function (ev) {
		ev.preventDefault();
		if (busy) {
			return;
		}
		busy = true;
		button.disabled = true;
		document.title = baseTitle;
		var done = false;
		try {
			done = await activate();
		} catch (e) {
			finish(false, "Something went wrong on this page. " +
			    "Reload it and try again.");
		}
		busy = false;
		if (done) {
			input.disabled = true;
			button.hidden = true;
		} else {
			button.disabled = false;
		}
	});
})();
