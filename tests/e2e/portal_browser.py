#!/usr/bin/python3
"""The activation portal in a real browser (tests/e2e/portal_browser.sh).

Debian's headless Chromium, driven over the DevTools protocol
(tests/lib/cdp.py), with the WebAuthn domain's virtual authenticators,
against `keydesk serve` on http://localhost.  Mail comes from the real
loopback SMTP sink; keydesk's state is read through its CLI; the stored
public key is proven by a later navigator.credentials.get() assertion
verified with keydesk's own code (hw_webauthn_check).

Environment (set by portal_browser.sh): KEYDESK, KD_BUILD, KD_TOP, T (the
test's folder), CFG, DB, MAILDIR, PORT (the portal), PORT2 (a second
portal on another port: a wrong origin), PORT3 (a portal whose clock is
past the link lifetime), TLS_CFG/TLS_PORT/TLS_SPKI (TLS mode).
Prints "ok - NAME" / "not ok - NAME" lines.
"""
import email
import email.policy
import json
import mailbox
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.environ["KD_TOP"], "tests", "lib"))
import cdp  # noqa: E402

KEYDESK = os.environ["KEYDESK"]
BUILD = os.environ["KD_BUILD"]
T = os.environ["T"]
CFG = os.environ["CFG"]
DB = os.environ["DB"]
MAILDIR = os.environ["MAILDIR"]
PORT = int(os.environ["PORT"])
PORT2 = int(os.environ["PORT2"])
PORT3 = int(os.environ["PORT3"])
ORIGIN = "http://localhost:%d" % PORT

failed = 0


def check(name, cond, why=""):
    global failed
    if cond:
        print("ok - %s" % name, flush=True)
    else:
        failed += 1
        print("not ok - %s%s" % (name, (": " + why) if why else ""), flush=True)


def kd(*args, stdin=None):
    p = subprocess.run([KEYDESK, "--config", CFG, "--db", DB] + list(args),
                       input=stdin, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def kd_json(*args):
    rc, out, err = kd(*args)
    if rc != 0:
        raise RuntimeError("keydesk %s: %s" % (" ".join(args), err.strip()))
    return json.loads(out)


def key_of(user_id):
    keys = kd_json("key", "list", user_id, "--json")
    return keys[-1]


def mail_for(addr, after=0):
    """(link, code, body) of the newest activation mail to addr."""
    best = None
    for m in mailbox.Maildir(MAILDIR, factory=None, create=False):
        msg = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
        if addr not in str(msg["To"]):
            continue
        body = msg.get_body(("plain",)).get_content()
        link = re.search(r"https?://\S+/activate/[A-Za-z0-9_-]{43}", body)
        code = re.search(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", body)
        if not link or not code:
            continue
        when = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
        if best is None or when >= best[0]:
            best = (when, link.group(0), code.group(0), body)
    if best is None:
        raise RuntimeError("no activation mail to %s" % addr)
    return best[1], best[2], best[3]


def http(method, url, body=None, ctype="application/json"):
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


n_users = 0


def new_user(ktype, name=None):
    """A user with a pending key of ktype, mailed; returns (uid, link, code)."""
    global n_users
    n_users += 1
    uid = "P%03d" % n_users
    addr = "p%03d@example.com" % n_users
    args = ["user", "add", "--id", uid, "--name", name or ("Pat Portal %d" % n_users),
            "--email", addr, "--username", "pat%d" % n_users, "--key", ktype,
            "--activate", "email"]
    # The configured defaults: smartphone biometric, card and FIDO2 key PIN,
    # so every key here needs user verification.
    args += ["--default-settings"]
    rc, out, err = kd(*args)
    if rc != 0:
        raise RuntimeError("user add: " + err.strip())
    link, code, _ = mail_for(addr)
    return uid, link, code, addr


def outcome(b, timeout=20):
    """The page's title once it says Active or Error ('' if it never does)."""
    try:
        return b.wait_js("document.title.startsWith('Active') || "
                         "document.title.startsWith('Error') ? document.title : ''",
                         timeout) or ""
    except TimeoutError:
        return ""


def open_and_register(b, link, code):
    """Opens link, types code, clicks the button, waits for the outcome."""
    b.navigate(link)
    b.type_into("#code", code)
    b.click("#go")
    return outcome(b)


def assertion_verifies(b, key):
    """A later navigator.credentials.get(), checked by keydesk's verifier
    against the public key keydesk stored."""
    challenge = cdp.b64url(secrets.token_bytes(32))
    a = b.get_assertion("localhost", challenge, key["credential_id"],
                        uv="preferred")
    path = os.path.join(T, "assert.json")
    with open(path, "w") as f:
        json.dump(a, f)
    p = subprocess.run([os.path.join(BUILD, "tests", "hw_webauthn_check"), path,
                        challenge, ORIGIN, "localhost", key["public_key"]],
                       capture_output=True, text=True, timeout=30)
    return p.returncode == 0 and p.stdout.startswith("ok"), p.stdout.strip()


def device_flow(b, ktype, transport):
    uid, link, code, addr = new_user(ktype)
    check("%s: the mail's link is on the portal" % transport,
          link.startswith(ORIGIN + "/activate/"), link)
    # Mail scanners and link previews fetch links before the user does.
    s1, _ = http("GET", link)
    s2, page = http("GET", link)
    check("%s: two fetches before the user: 200" % transport, s1 == s2 == 200)
    auth = b.add_authenticator(transport=transport)
    title = open_and_register(b, link, code.lower().replace("-", " "))
    check("%s: registered in the browser (code typed lower case, spaced)" % transport,
          title.startswith("Active"), title + " | " + b.text()[:300])
    key = key_of(uid)
    creds = b.credentials(auth)
    check("%s: key Active" % transport, key["status"] == "active", key["status"])
    check("%s: stored credential ID is the authenticator's" % transport,
          len(creds) == 1 and creds[0]["id"] == key["credential_id"],
          "%s vs %s" % (creds and creds[0]["id"], key["credential_id"]))
    user = kd_json("user", "show", uid, "--json")
    check("%s: user Active" % transport, user["status"] == "active", user["status"])
    ok, out = assertion_verifies(b, key)
    check("%s: a later assertion verifies against the stored key" % transport, ok, out)
    st, page = http("GET", link)
    check("%s: the used link answers 410, says so, no button" % transport,
          st == 410 and "already used" in page and 'id="go"' not in page, str(st))
    b.remove_authenticator(auth)
    return uid, link, code, addr


def record_fetches(b):
    b.evaluate("""(() => { window.__posts = []; const f = window.fetch;
        window.fetch = (u, o) => { window.__posts.push([String(u), o && o.body]);
            return f(u, o); }; return true; })()""", await_promise=False)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "tls":
        return tls_run()
    b = cdp.Browser()
    try:
        run(b)
    finally:
        b.close()


def tls_run():
    """TLS mode: libmicrohttpd's own TLS with a certificate made by the
    test, trusted by Chromium through its SPKI hash."""
    global CFG, ORIGIN, n_users
    CFG = os.environ["TLS_CFG"]
    n_users = 900	# the first run's users are P001...
    ORIGIN = "https://localhost:%s" % os.environ["TLS_PORT"]
    b = cdp.Browser(extra_flags=["--ignore-certificate-errors-spki-list=" +
                                 os.environ["TLS_SPKI"]])
    try:
        uid, link, code, _ = new_user("fido2")
        check("tls: the mailed link is https", link.startswith(ORIGIN + "/activate/"), link)
        auth = b.add_authenticator(transport="usb")
        title = open_and_register(b, link, code)
        check("tls: a secure page, registered", title.startswith("Active") and
              b.evaluate("window.isSecureContext", await_promise=False), title)
        check("tls: key Active", key_of(uid)["status"] == "active")
        b.remove_authenticator(auth)
    finally:
        b.close()


def run(b):
    for ktype, transport in (("smartphone", "internal"), ("smartphone", "hybrid"),
                             ("card", "nfc"), ("fido2", "usb")):
        try:
            device_flow(b, ktype, transport)
        except Exception as ex:  # one device type failing must not hide the rest
            check("%s/%s flow ran" % (ktype, transport), False, repr(ex))

    # A card with PIN verification: the browser asks for the PIN, keydesk
    # mails none.
    try:
        uid, link, code, addr = new_user("card")
        _, _, body = mail_for(addr)
        check("card with PIN: the email says the browser will ask for a PIN",
              "PIN" in body, body[:400])
        st, page = http("GET", link)
        check("card with PIN: the page says the browser will ask for a PIN",
              "PIN" in page)
        auth = b.add_authenticator(transport="nfc")
        title = open_and_register(b, link, code)
        check("card with PIN: Active", title.startswith("Active"), title)
        mails = kd_json("outbox", "list", "--json")
        pins = [m for m in mails if m.get("kind") == "pin"]
        check("card with PIN: no PIN mailed by keydesk", len(pins) == 0, str(pins))
        b.remove_authenticator(auth)
    except Exception as ex:
        check("card with PIN flow ran", False, repr(ex))

    # A GET between the user's page load and their click; a second code
    # POST (another tab) between the first and the registration.
    try:
        uid, link, code, _ = new_user("fido2")
        auth = b.add_authenticator(transport="usb")
        b.navigate(link)
        http("GET", link)
        b.type_into("#code", code)
        http("POST", link + "/code", json.dumps({"code": code}).encode())
        record_fetches(b)
        b.click("#go")
        title = outcome(b)
        check("fetches between load and click: still activates",
              (title or "").startswith("Active"), title)
        posts = b.evaluate("JSON.stringify(window.__posts)", await_promise=False)
        posts = json.loads(posts)
        reg = [p for p in posts if not p[0].endswith("/code")]
        check("the registration POST was seen", len(reg) == 1, str(posts)[:200])
        if reg:
            body = reg[0][1].encode()
            st, _ = http("POST", link, body)
            check("replay of a verified POST: refused (410)", st == 410, str(st))
            uid2, link2, code2, _ = new_user("fido2")
            http("POST", link2 + "/code", json.dumps({"code": code2}).encode())
            st, page = http("POST", link2, body)
            check("the same body on another link: refused, key stays Pending",
                  st in (400, 403) and key_of(uid2)["status"] == "pending",
                  "%s %s" % (st, page[:200]))
        b.remove_authenticator(auth)
    except Exception as ex:
        check("prefetch and replay cases ran", False, repr(ex))

    # The page opened from another origin (a second portal on another
    # port: a proxy that rewrote the address): refused, nothing changed.
    try:
        uid, link, code, _ = new_user("fido2")
        other = link.replace(":%d/" % PORT, ":%d/" % PORT2)
        auth = b.add_authenticator(transport="usb")
        title = open_and_register(b, other, code)
        check("wrong origin: refused with the reason",
              title.startswith("Error") and "another address" in b.text(),
              title + " | " + b.text()[:300])
        check("wrong origin: key stays Pending", key_of(uid)["status"] == "pending")
        # The same link on the right origin still works.
        title = open_and_register(b, link, code)
        check("after a refusal the link still works", title.startswith("Active"), title)
        b.remove_authenticator(auth)
    except Exception as ex:
        check("wrong origin case ran", False, repr(ex))

    # Expired (a portal whose clock is past the lifetime), replaced by a
    # resend, revoked: 4xx pages that say which, never a button.
    try:
        uid, link, code, _ = new_user("card")
        b.navigate(link.replace(":%d/" % PORT, ":%d/" % PORT3))
        check("expired link: says it expired, no button",
              "expired" in b.text() and b.evaluate(
                  "document.getElementById('go') === null", await_promise=False),
              b.text()[:200])
        check("expired link: 410", b.status_of_last_navigation() == 410,
              str(b.status_of_last_navigation()))
        kid = key_of(uid)["id"]
        rc, _, err = kd("key", "resend", str(kid))
        b.navigate(link)
        check("resent link's old copy: 'replaced by a newer email', 410",
              "replaced by a newer email" in b.text() and
              b.status_of_last_navigation() == 410, b.text()[:200])
        newlink, newcode, _ = mail_for("p%03d@example.com" % n_users)
        rc, _, err = kd("key", "revoke", str(kid), "--reason", "lost")
        b.navigate(newlink)
        check("revoked key: 'this key was revoked', no button",
              "revoked" in b.text() and b.evaluate(
                  "document.getElementById('go') === null", await_promise=False),
              b.text()[:200])
        b.navigate(link[:-5] + "XXXXX")
        check("unknown link: 404 with a sentence",
              b.status_of_last_navigation() == 404 and "not valid" in b.text(),
              b.text()[:200])
    except Exception as ex:
        check("closed link cases ran", False, repr(ex))

    # Five wrong codes lock the link; the right one then waits too.
    try:
        uid, link, code, _ = new_user("fido2")
        auth = b.add_authenticator(transport="usb")
        b.navigate(link)
        for i in range(5):
            b.type_into("#code", "AAAAA-AAAA%d" % (i + 2))
            b.click("#go")
            outcome(b, 10)
            msg = b.text()
            b.evaluate("document.title = 'keydesk'", await_promise=False)
        check("five wrong codes: locked", "locked" in msg.lower(), msg[:300])
        b.type_into("#code", code)
        b.click("#go")
        outcome(b, 10)
        check("locked: the right code waits too",
              b.evaluate("document.title", await_promise=False).startswith("Error")
              and key_of(uid)["status"] == "pending")
        b.remove_authenticator(auth)
    except Exception as ex:
        check("lock-out case ran", False, repr(ex))

    # Verification required, an authenticator without it: stays Pending
    # with a clear message; the same link then works with one that has it.
    try:
        uid, link, code, _ = new_user("smartphone")
        auth = b.add_authenticator(transport="internal", has_uv=False, is_uv=False)
        title = open_and_register(b, link, code)
        check("no user verification: refused, says try again",
              title.startswith("Error") and "try again" in b.text().lower(),
              title + " | " + b.text()[:300])
        check("no user verification: key stays Pending",
              key_of(uid)["status"] == "pending")
        b.remove_authenticator(auth)
        auth = b.add_authenticator(transport="internal")
        b.evaluate("document.title = 'keydesk'", await_promise=False)
        b.click("#go")
        t = outcome(b)
        check("then a verifying authenticator on the same page: Active",
              (t or "").startswith("Active") and key_of(uid)["status"] == "active", t)
        b.remove_authenticator(auth)
    except Exception as ex:
        check("user verification case ran", False, repr(ex))

    # A hostile name is shown as text.
    try:
        evil = "<script>alert(1)</script> & \"Zoë\" 'O'Brien'"
        uid, link, code, _ = new_user("fido2", name=evil)
        b.navigate(link)
        check("hostile name: shown as text", evil in b.text(), b.text()[:300])
        n = b.evaluate("document.scripts.length", await_promise=False)
        check("hostile name: no script of its own on the page", n == 1, str(n))
    except Exception as ex:
        check("hostile name case ran", False, repr(ex))


if __name__ == "__main__":
    try:
        main()
    except Exception as ex:
        check("browser session", False, repr(ex))
    sys.exit(1 if failed else 0)
