#!/usr/bin/python3
"""Headless Chromium over the DevTools protocol (CDP), for the activation
portal's end-to-end tests: open pages, type, click, and register keys
with Chromium's virtual WebAuthn authenticators.

Run with /usr/bin/python3: Debian's python3-websocket (1.2.3) is not seen
by other interpreters.  Needs Debian's chromium; openssl only for
spki_hash().

    sys.path.insert(0, 'tests/lib'); import cdp
    with cdp.Browser() as b:
        auth = b.add_authenticator('usb')
        b.navigate('http://localhost:%d/activate/%s' % (port, token))
        assert b.status_of_last_navigation() == 200
        b.type_into('#code', '1234-5678'); b.click('#go')
        b.wait_js('document.title == "activated"', 10)
        cred = b.credentials(auth)[0]          # cred['id'] is base64url

Use http://localhost:PORT, never 127.0.0.1: an IP is refused as an RP ID.

Browser(extra_flags=(), timeout=20, chromium='/usr/bin/chromium')
    Starts chromium --headless=new with a fresh profile in a temp dir and a
    kernel-chosen loopback debugging port, attaches to its page.  A context
    manager; close() (also run at exit) stops the browser (terminate, kill
    after 5 s) and removes the temp dir.  stderr goes to b.stderr_path
    (inside that dir; stderr_tail() reads its end).  Pass e.g.
    ['--ignore-certificate-errors-spki-list=' + spki_hash(pem)] for TLS.
send(method, _timeout=30, **params) -> result dict
    One CDP call on the page.  Events read meanwhile are kept for
    wait_event.  CDPError if the browser answers with an error.
wait_event(name, timeout=10, match=None) -> params
    The first kept or coming event `name` (for which match(params) is
    true), removed from the kept ones.  Events are kept from the current
    page's commit on (navigate() forgets older ones; the last 1000 at
    most).  TimeoutError after `timeout` s.
navigate(url, timeout=15)
    Page.navigate and wait for Page.loadEventFired.  CDPError when the
    page cannot load at all (connection refused, certificate refused).
    HTTP error pages load normally: see status_of_last_navigation().
status_of_last_navigation() -> int or None
    HTTP status of the main frame's latest document response, including
    navigations started by the page (clicks, form posts) once they loaded.
evaluate(expr, await_promise=True, user_gesture=True, timeout=30) -> value
    Runtime.evaluate, result by value (None for undefined).  JSError when
    the expression throws or its promise rejects; .name is the error's name
    ('NotAllowedError'), str() the JS text.
wait_js(expr, timeout=10, interval=0.1) -> value
    Polls expr until truthy; TimeoutError otherwise.
title(), text(), html()
    document.title, document.body.innerText, the whole document's HTML.
type_into(selector, text), click(selector)
    Set an input's value and fire input/change events; element.click() as
    a user gesture.  JSError if nothing matches the selector.
add_authenticator(transport='usb', has_uv=True, is_uv=True, presence=True,
                  resident=True, protocol='ctap2', **options) -> id
    A virtual authenticator ('usb', 'nfc', 'ble', 'internal', 'hybrid');
    protocol 'ctap2' (CTAP 2.1) or 'u2f'; presence False = nobody touches
    the key (create/get time out); extra CDP options (e.g.
    defaultBackupEligibility=True) are passed as they are.
remove_authenticator(id), set_presence(id, bool), set_user_verified(id, bool)
credentials(id) -> [dict]
    WebAuthn.getCredentials: credentialId (base64), rpId, userHandle
    (base64), signCount, isResidentCredential, privateKey (PKCS#8, base64),
    plus 'id' and 'userHandleB64url': base64url without padding, as the
    server stores them.
get_assertion(rp_id, challenge_b64url, cred_id_b64url=None, uv='preferred',
              timeout_ms=10000) -> dict
    navigator.credentials.get() in the current page (which must be of that
    RP's origin); returns {id, rawId, type, response: {authenticatorData,
    clientDataJSON, signature, userHandle}}, all base64url (userHandle None
    when absent), ready for json.dumps and webauthn_assert_verify.

Module helpers: spki_hash(cert_pem_path) -> base64 SHA-256 of the
certificate's SubjectPublicKeyInfo; b64url(bytes) -> str;
b64_to_b64url(str) -> str.
"""
import atexit
import base64
import collections
import ctypes
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROMIUM = '/usr/bin/chromium'

# Headless, no sandbox (we run as root), and nothing that reaches the
# network or the disk behind the test's back.
FLAGS = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--no-default-browser-check',
    '--remote-debugging-address=127.0.0.1',
    # 0: the kernel picks a free port and chromium writes it to
    # DevToolsActivePort in the profile, so two tests never race for one.
    '--remote-debugging-port=0',
]

# Page.navigate reports this for an HTTP 4xx/5xx with an empty body, yet
# the page loads (Chromium's own error text): a status, not a failure.
HTTP_ERROR_TEXT = 'net::ERR_HTTP_RESPONSE_CODE_FAILURE'


class CDPError(Exception):
    """The browser refused a call, died, or a page could not load."""


class JSError(CDPError):
    """A JavaScript exception or rejected promise; name: 'NotAllowedError'."""

    def __init__(self, name, text):
        super().__init__(text)
        self.name = name


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip('=')


def b64_to_b64url(s):
    return s.replace('+', '-').replace('/', '_').rstrip('=')


def spki_hash(cert_pem_path):
    """For --ignore-certificate-errors-spki-list: base64 SHA-256 of the
    DER SubjectPublicKeyInfo (openssl extracts it; hashing here avoids
    base64's line wrapping)."""
    pem = subprocess.run(['openssl', 'x509', '-in', cert_pem_path,
                          '-pubkey', '-noout'], check=True,
                         capture_output=True, timeout=10).stdout
    der = subprocess.run(['openssl', 'pkey', '-pubin', '-outform', 'der'],
                         input=pem, check=True, capture_output=True,
                         timeout=10).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


# Looked up before any fork: the child of a threaded process must not
# load libraries.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent():
    # prctl(PR_SET_PDEATHSIG, SIGKILL) in the child before exec; Debian's
    # wrapper script execs chromium, which keeps it.
    _prctl(1, signal.SIGKILL)


# Page-side base64url <-> bytes, put inside a script's own function (a
# top-level const would clash on the second call).
_JS_B64 = r'''
const kdB2u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const kdU2b = (s) => Uint8Array.from(
    atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
'''


class Browser:
    def __init__(self, extra_flags=(), timeout=20, chromium=CHROMIUM):
        # Everything close() looks at exists before anything can fail.
        self._proc = None
        self._ws = None
        self._log = None
        self._closed = False
        self._next_id = 0
        self._events = collections.deque(maxlen=1000)
        self._last_doc = None
        self._webauthn = False
        self._tmp = tempfile.mkdtemp(prefix='kd-cdp-')
        atexit.register(self.close)
        try:
            self._start(list(extra_flags), timeout, chromium)
        except BaseException:
            self.close()
            raise

    def _start(self, extra_flags, timeout, chromium):
        deadline = time.monotonic() + timeout
        profile = os.path.join(self._tmp, 'profile')
        os.mkdir(profile)
        self.stderr_path = os.path.join(self._tmp, 'chromium.stderr')
        self._log = open(self.stderr_path, 'wb')
        argv = [chromium] + FLAGS + ['--user-data-dir=' + profile] + \
            extra_flags + ['about:blank']
        # Own process group: close() can reach renderers that outlive
        # the browser process.  Parent-death signal: a test killed
        # outright (no atexit) does not leave a browser behind.
        self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=self._log,
                                      start_new_session=True,
                                      preexec_fn=_die_with_parent)
        portfile = os.path.join(profile, 'DevToolsActivePort')
        while True:
            if self._proc.poll() is not None:
                raise CDPError('chromium exited (%d): %s'
                               % (self._proc.returncode, self.stderr_tail()))
            try:
                with open(portfile) as f:
                    first = f.readline()
                if first.endswith('\n'):    # written in full
                    self.port = int(first)
                    break
            except FileNotFoundError:
                pass
            self._sleep_until(deadline, 'the debugging port')
        page = None
        while page is None:
            try:
                url = 'http://127.0.0.1:%d/json/list' % self.port
                with urllib.request.urlopen(url, timeout=2) as r:
                    targets = json.load(r)
                page = next((t for t in targets if t.get('type') == 'page'),
                            None)
            except OSError:
                pass
            if page is None:
                self._sleep_until(deadline, 'a page target')
        self._frame = page['id']    # a page target's id is its main frame's
        self._ws = websocket.create_connection(
            page['webSocketDebuggerUrl'], suppress_origin=True,
            timeout=max(deadline - time.monotonic(), 1))
        left = max(deadline - time.monotonic(), 1)
        self.send('Page.enable', _timeout=left)
        self.send('Network.enable', _timeout=left)    # for the status

    def _sleep_until(self, deadline, what):
        if time.monotonic() > deadline:
            raise TimeoutError('chromium: %s not ready in time: %s'
                               % (what, self.stderr_tail()))
        time.sleep(0.05)

    def stderr_tail(self, lines=5):
        try:
            with open(self.stderr_path, 'rb') as f:
                text = f.read().decode(errors='replace')
        except (OSError, AttributeError):
            return ''
        # Noise on every start: Debian's wrapper tripping on /dev/shm, and
        # dbus (no system bus in a container).
        keep = [l for l in text.splitlines()
                if 'unexpected operator' not in l and 'dbus/' not in l]
        return ' | '.join(keep[-lines:])

    def close(self):
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        if self._ws is not None:
            try:
                self._ws.close(timeout=1)
            except Exception:
                pass
        p = self._proc
        if p is not None:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
            # Anything left of chromium's own group (a renderer or zygote
            # whose parent died): its pgid is the browser's pid.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log is not None:
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- protocol -------------------------------------------------------

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self._ws.settimeout(left)
        try:
            msg = json.loads(self._ws.recv())
        except (websocket.WebSocketTimeoutException, TimeoutError):
            raise TimeoutError from None
        except (websocket.WebSocketConnectionClosedException, OSError) as e:
            raise CDPError('lost the browser (%s): %s'
                           % (e, self.stderr_tail())) from None
        if 'method' in msg:
            self._on_event(msg)
        return msg

    def _on_event(self, msg):
        p = msg.get('params', {})
        if msg['method'] == 'Network.responseReceived' and \
                p.get('type') == 'Document' and p.get('frameId') == self._frame:
            self._last_doc = p['response']
        self._events.append(msg)

    def _drain(self):
        # Read what the browser already sent, without waiting for more.
        while select.select([self._ws.sock], [], [], 0)[0]:
            self._recv(time.monotonic() + 2)

    def send(self, method, _timeout=30, **params):
        self._next_id += 1
        mid = self._next_id
        try:
            self._ws.send(json.dumps({'id': mid, 'method': method,
                                      'params': params}))
        except (websocket.WebSocketConnectionClosedException, OSError) as e:
            raise CDPError('lost the browser (%s): %s'
                           % (e, self.stderr_tail())) from None
        deadline = time.monotonic() + _timeout
        while True:
            try:
                msg = self._recv(deadline)
            except TimeoutError:
                raise TimeoutError('%s: no answer in %s s'
                                   % (method, _timeout)) from None
            # Answers to calls that timed out earlier have other ids.
            if msg.get('id') == mid:
                if 'error' in msg:
                    raise CDPError('%s: %s' % (method, msg['error']))
                return msg.get('result', {})

    def wait_event(self, name, timeout=10, match=None):
        def wanted(m):
            return m['method'] == name and (match is None or
                                            match(m.get('params', {})))
        for m in list(self._events):
            if wanted(m):
                self._events.remove(m)
                return m.get('params', {})
        deadline = time.monotonic() + timeout
        while True:
            try:
                m = self._recv(deadline)
            except TimeoutError:
                raise TimeoutError('no %s in %s s' % (name, timeout)) from None
            if 'method' in m and wanted(m):
                self._events.remove(m)
                return m.get('params', {})

    # --- pages ----------------------------------------------------------

    def navigate(self, url, timeout=15):
        deadline = time.monotonic() + timeout
        self._last_doc = None
        r = self.send('Page.navigate', _timeout=timeout, url=url)
        err = r.get('errorText')
        if err and err != HTTP_ERROR_TEXT:
            raise CDPError('navigate %s: %s' % (url, err))
        if 'loaderId' not in r:
            return    # same-document (#fragment): no load event comes
        self.wait_event('Page.frameNavigated', deadline - time.monotonic(),
                        lambda p: p['frame']['id'] == self._frame and
                        p['frame'].get('loaderId') == r['loaderId'])
        # Whatever came before the new document committed is about the old
        # page, a late load event of an error page included: forget it, so
        # the next load event (and anything a test waits for) is this one's.
        self._events.clear()
        self.wait_event('Page.loadEventFired', deadline - time.monotonic())

    def status_of_last_navigation(self):
        self._drain()
        return None if self._last_doc is None else self._last_doc['status']

    def evaluate(self, expr, await_promise=True, user_gesture=True,
                 timeout=30):
        r = self.send('Runtime.evaluate', _timeout=timeout, expression=expr,
                      awaitPromise=await_promise, userGesture=user_gesture,
                      returnByValue=True)
        if 'exceptionDetails' in r:
            d = r['exceptionDetails']
            exc = d.get('exception', {})
            if 'value' in exc:          # throw 'text' / reject(42)
                name, text = '', str(exc['value'])
            elif 'description' in exc:  # "NotAllowedError: ...\n    at ..."
                text = exc['description'].split('\n    at ')[0]
                name = text.split(':')[0] if ':' in text else \
                    exc.get('className', '')
            else:
                name, text = '', d.get('text', 'exception')
            raise JSError(name, text)
        return r['result'].get('value')

    def wait_js(self, expr, timeout=10, interval=0.1):
        deadline = time.monotonic() + timeout
        value = None
        while True:
            left = deadline - time.monotonic()
            try:
                value = self.evaluate(expr, user_gesture=False,
                                      timeout=max(left, 0.5))
                if value:
                    return value
            except JSError:
                raise           # a broken expression never turns true
            except (CDPError, TimeoutError):
                if self._proc.poll() is not None:
                    raise
                # else the page is navigating: its context is gone
            if time.monotonic() + interval > deadline:
                raise TimeoutError('still %r after %s s: %s'
                                   % (value, timeout, expr))
            time.sleep(interval)

    def title(self):
        return self.evaluate('document.title')

    def text(self):
        return self.evaluate('document.body ? document.body.innerText : ""')

    def html(self):
        return self.evaluate('document.documentElement.outerHTML')

    def _element_js(self, selector, body):
        return ('(() => { const el = document.querySelector(%s); '
                'if (!el) throw new Error("nothing matches " + %s); %s })()'
                % (json.dumps(selector), json.dumps(selector), body))

    def type_into(self, selector, text):
        self.evaluate(self._element_js(selector, (
            'el.focus(); el.value = %s; '
            'el.dispatchEvent(new Event("input", {bubbles: true})); '
            'el.dispatchEvent(new Event("change", {bubbles: true}));')
            % json.dumps(text)))

    def click(self, selector):
        self.evaluate(self._element_js(selector, 'el.click();'))

    # --- WebAuthn ---------------------------------------------------------

    def add_authenticator(self, transport='usb', has_uv=True, is_uv=True,
                          presence=True, resident=True, protocol='ctap2',
                          **options):
        if not self._webauthn:
            # enableUI false: no account chooser waits for a human.
            self.send('WebAuthn.enable', enableUI=False)
            self._webauthn = True
        opts = {'protocol': protocol, 'transport': transport,
                'hasResidentKey': resident, 'hasUserVerification': has_uv,
                'isUserVerified': is_uv,
                'automaticPresenceSimulation': presence}
        if protocol == 'ctap2':
            opts['ctap2Version'] = 'ctap2_1'
        opts.update(options)
        r = self.send('WebAuthn.addVirtualAuthenticator', options=opts)
        return r['authenticatorId']

    def remove_authenticator(self, auth_id):
        self.send('WebAuthn.removeVirtualAuthenticator',
                  authenticatorId=auth_id)

    def set_presence(self, auth_id, on):
        self.send('WebAuthn.setAutomaticPresenceSimulation',
                  authenticatorId=auth_id, enabled=bool(on))

    def set_user_verified(self, auth_id, on):
        self.send('WebAuthn.setUserVerified', authenticatorId=auth_id,
                  isUserVerified=bool(on))

    def credentials(self, auth_id):
        creds = self.send('WebAuthn.getCredentials',
                          authenticatorId=auth_id)['credentials']
        for c in creds:
            c['id'] = b64_to_b64url(c['credentialId'])
            c['userHandleB64url'] = b64_to_b64url(c.get('userHandle', ''))
        return creds

    def get_assertion(self, rp_id, challenge_b64url, cred_id_b64url=None,
                      uv='preferred', timeout_ms=10000):
        args = json.dumps({'rp': rp_id, 'ch': challenge_b64url,
                           'id': cred_id_b64url, 'uv': uv, 't': timeout_ms})
        js = '''(async (a) => {''' + _JS_B64 + '''
    const pk = {challenge: kdU2b(a.ch), rpId: a.rp, userVerification: a.uv,
                timeout: a.t};
    if (a.id) pk.allowCredentials = [{type: 'public-key', id: kdU2b(a.id)}];
    const c = await navigator.credentials.get({publicKey: pk});
    const r = c.response;
    return {id: c.id, rawId: kdB2u(c.rawId), type: c.type, response: {
        authenticatorData: kdB2u(r.authenticatorData),
        clientDataJSON: kdB2u(r.clientDataJSON),
        signature: kdB2u(r.signature),
        userHandle: r.userHandle ? kdB2u(r.userHandle) : null}};
})(%s)''' % args
        return self.evaluate(js, timeout=timeout_ms / 1000 + 10)
