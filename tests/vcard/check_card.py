#!/usr/bin/python3
"""Cross-check keydesk's software FIDO2 card with an independent client.

python-fido2 (Debian's python3-fido2, with pyscard) talks to the card
through the real pcscd and vpcd.  Usage:

    check_card.py READER SCENARIO [STATEFILE]

Prints one "ok - NAME" or "not ok - NAME: why" line per case.  Scenarios
match the card's switches that tests/e2e/vcard.sh starts it with.
"""

import hashlib
import os
import struct
import sys
import time
import traceback

from fido2.ctap import CtapError
from fido2.ctap2 import (AttestationObject, ClientPin, Config, Ctap2,
                         PinProtocolV1, PinProtocolV2)
from fido2.attestation import PackedAttestation
from fido2.cose import CoseKey
from fido2.pcsc import CtapPcscDevice
from smartcard.System import readers as pcsc_readers
from smartcard.scard import SCARD_SHARE_EXCLUSIVE, SCARD_UNPOWER_CARD

AAGUID = bytes.fromhex("7c46a092672945d78a67d474d2df1b53")
RP = {"id": "example.org", "name": "Example"}
PERM_MC, PERM_GA, PERM_ACFG = 0x01, 0x02, 0x20
FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40

failed = 0


def report(ok, name, why=""):
    global failed
    if ok:
        print("ok - %s" % name)
    else:
        failed += 1
        print("not ok - %s%s" % (name, ": " + why if why else ""))
    sys.stdout.flush()


def case(name):
    """Decorator-free helper: run fn, report exceptions as failures."""
    def run(fn, *a):
        try:
            r = fn(*a)
            report(r is None or r is True, name, "" if r in (None, True)
                   else str(r))
        except Exception as e:  # noqa: BLE001 - a case is a boundary
            report(False, name, "%s: %s" % (type(e).__name__, e))
            traceback.print_exc(file=sys.stderr)
    return run


def ctap_error(fn, *a, **kw):
    """Returns the CTAP error code fn raised, or None."""
    try:
        fn(*a, **kw)
    except CtapError as e:
        return int(e.code)
    return None


def expect_err(code, fn, *a, **kw):
    got = ctap_error(fn, *a, **kw)
    if got != code:
        return "expected CTAP error 0x%02x, got %s" % (
            code, "success" if got is None else "0x%02x" % got)
    return True


def cdh(tag):
    return hashlib.sha256(tag.encode()).digest()


def exclusive_device(reader, tries=25):
    """CtapPcscDevice holding the card exclusively.

    pcscd is shared by every test on the machine, and pyscard does not wrap
    its multi-APDU exchanges (chaining, GET RESPONSE) in transactions: a
    SELECT from another client in between would break them.
    """
    for i in range(tries):
        r = [x for x in pcsc_readers() if x.name == reader]
        if not r:
            raise RuntimeError("no reader %r" % reader)
        conn = r[0].createConnection()
        plain = conn.connect
        conn.connect = lambda: plain(mode=SCARD_SHARE_EXCLUSIVE)
        try:
            return CtapPcscDevice(conn, reader)
        except Exception:  # noqa: BLE001 - busy: someone else has it
            if i == tries - 1:
                raise
            time.sleep(0.2)


class Card:
    def __init__(self, reader):
        self.dev = exclusive_device(reader)
        self.ctap = Ctap2(self.dev)

    def info(self):
        return self.ctap.get_info()

    def power_cycle(self):
        self.dev._conn.reconnect(mode=SCARD_SHARE_EXCLUSIVE,
                                 disposition=SCARD_UNPOWER_CARD)
        self.dev._select()

    def pin(self, proto):
        p = PinProtocolV1() if proto == 1 else PinProtocolV2()
        self.ctap._info = self.ctap.get_info()
        return ClientPin(self.ctap, p), p

    def token(self, proto, pin, perms=PERM_MC | PERM_GA, rp=RP["id"]):
        cp, p = self.pin(proto)
        return cp.get_pin_token(pin, perms, rp), p

    def apdu(self, hexstr):
        resp, sw1, sw2 = self.dev.apdu_exchange(bytes.fromhex(hexstr))
        return resp, (sw1 << 8) | sw2

    def make(self, user_id, rk, token=None, proto=None, tag="mc", name=None):
        h = cdh(tag)
        param = None
        if token is not None:
            param = proto.authenticate(token, h)
        user = {"id": user_id, "name": name or "user-%s" % user_id.hex()}
        att = self.ctap.make_credential(
            h, RP, user, [{"type": "public-key", "alg": -7}],
            options={"rk": rk} if rk else None,
            pin_uv_param=param,
            pin_uv_protocol=proto.VERSION if proto else None)
        return att, h

    def assert_(self, allow=None, token=None, proto=None, tag="ga"):
        h = cdh(tag)
        param = proto.authenticate(token, h) if token is not None else None
        return self.ctap.get_assertion(
            RP["id"], h, allow_list=allow, pin_uv_param=param,
            pin_uv_protocol=proto.VERSION if proto else None), h


def check_attestation(att, h, want_flags):
    if att.fmt != "packed" or "x5c" in att.att_statement:
        return "not packed self attestation: %s" % att.fmt
    PackedAttestation().verify(att.att_statement, att.auth_data, h)
    ad = att.auth_data
    if ad.rp_id_hash != hashlib.sha256(RP["id"].encode()).digest():
        return "rpIdHash"
    if ad.flags != want_flags:
        return "flags %02x, want %02x" % (ad.flags, want_flags)
    if ad.credential_data.aaguid != AAGUID:
        return "aaguid"
    return True


def check_assertion(resp, h, pub, want_flags, user_id=None):
    resp.verify(h, pub)
    if resp.auth_data.flags != want_flags:
        return "flags %02x, want %02x" % (resp.auth_data.flags, want_flags)
    if user_id is not None and (resp.user or {}).get("id") != user_id:
        return "user %r" % (resp.user,)
    return True


def scen_basic(reader, state):
    c = Card(reader)

    def getinfo():
        i = c.info()
        want = {"versions": ["FIDO_2_0", "FIDO_2_1"], "aaguid": AAGUID,
                "pin": [2, 1], "min": 4, "rem": 25, "msg": 1200}
        got = {"versions": i.versions, "aaguid": i.aaguid,
               "pin": i.pin_uv_protocols, "min": i.min_pin_length,
               "rem": i.remaining_disc_creds, "msg": i.max_msg_size}
        if got != want or i.options.get("clientPin") is not False:
            return "getInfo %r options %r" % (got, i.options)
    case("getInfo: versions, AAGUID, protocols, limits")(getinfo)

    def unknown_cmd():
        return expect_err(0x01, c.ctap.send_cbor, 0x55)
    case("unknown CTAP command is INVALID_COMMAND")(unknown_cmd)

    def raw_apdus():
        _, sw = c.apdu("00A4040007A0000006472F00")
        if sw != 0x6A82:
            return "other AID sw %04x" % sw
        c.dev._select()
        _, sw = c.apdu("80FF000000")
        return sw == 0x6D00 or "unknown INS sw %04x" % sw
    case("SELECT of another AID 6A82, unknown INS 6D00")(raw_apdus)

    def set_pin_v1():
        cp, _ = c.pin(1)
        cp.set_pin("1234")
        if not c.info().options.get("clientPin"):
            return "clientPin still false"
        return cp.get_pin_retries()[0] == 8 or "retries not 8"
    case("setPIN with protocol 1; clientPin true; 8 retries")(set_pin_v1)

    def pin_required():
        return expect_err(0x36, c.make, b"u0", True)
    case("makeCredential without pinUvAuthParam: PIN_REQUIRED")(pin_required)

    saved = {}

    def mc_v1():
        tok, p = c.token(1, "1234")
        att, h = c.make(b"u1", True, tok, p, tag="v1")
        saved["v1"] = att.auth_data.credential_data
        return check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
    case("protocol 1 token; makeCredential rk; packed self attestation "
         "verifies")(mc_v1)

    def ga_v1():
        tok, p = c.token(1, "1234")
        r, h = c.assert_(token=tok, proto=p)
        return check_assertion(r, h, saved["v1"].public_key,
                               FLAG_UP | FLAG_UV, b"u1")
    case("protocol 1 token; discoverable getAssertion verifies")(ga_v1)

    def legacy_token():
        cp, p = c.pin(1)
        cp._supports_permissions = False  # getPinToken, subcommand 0x05
        tok = cp.get_pin_token("1234")
        att, h = c.make(b"u9", False, tok, p, tag="legacy")
        return check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
    case("getPinToken (0x05) token works for makeCredential")(legacy_token)

    def reset():
        c.ctap.reset()
        i = c.info()
        if i.options.get("clientPin") or i.remaining_disc_creds != 25:
            return "after reset: %r" % i
        return expect_err(0x2E, c.assert_)
    case("reset wipes PIN and credentials")(reset)

    def set_pin_v2():
        cp, _ = c.pin(2)
        cp.set_pin("123456")
        return cp.get_pin_retries()[0] == 8 or "retries"
    case("setPIN with protocol 2")(set_pin_v2)

    def mc_v2():
        tok, p = c.token(2, "123456", PERM_MC)
        att, h = c.make(b"u2", True, tok, p, tag="v2")
        saved["v2"] = att.auth_data.credential_data
        r = check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
        if r is not True:
            return r
        # The token lost its permissions with its first use.
        return expect_err(0x33, c.make, b"u3", True, tok, p)
    case("protocol 2 token; makeCredential rk verifies; token is single "
         "use")(mc_v2)

    def ga_v2_allow():
        tok, p = c.token(2, "123456", PERM_MC)
        att, _ = c.make(b"u4", False, tok, p, tag="nonrk")
        cd = att.auth_data.credential_data
        tok, p = c.token(2, "123456", PERM_GA)
        # Foreign IDs first: skipped; the request needs command chaining.
        allow = [{"type": "public-key", "id": os.urandom(61)}
                 for _ in range(3)]
        allow.append({"type": "public-key", "id": cd.credential_id})
        r, h = c.assert_(allow, tok, p)
        if r.credential["id"] != cd.credential_id:
            return "credential id"
        return check_assertion(r, h, cd.public_key, FLAG_UP | FLAG_UV)
    case("getAssertion by allowList (non-resident, chained command) "
         "verifies")(ga_v2_allow)

    def ga_no_uv():
        r, h = c.assert_()
        if set((r.user or {}).keys()) != {"id"}:
            return "user entity without UV: %r" % (r.user,)
        return check_assertion(r, h, saved["v2"].public_key, FLAG_UP, b"u2")
    case("getAssertion without PIN: UP only, user id only")(ga_no_uv)

    def wrong_rp():
        tok, p = c.token(2, "123456", PERM_GA, rp="other.example")
        return expect_err(0x33, c.assert_, None, tok, p)
    case("token bound to another RP: PIN_AUTH_INVALID")(wrong_rp)

    def next_assertion():
        tok, p = c.token(2, "123456", PERM_MC)
        c.make(b"u5", True, tok, p, tag="second", name="second")
        r, _ = c.assert_()
        if r.number_of_credentials != 2:
            return "numberOfCredentials %r" % r.number_of_credentials
        n = c.ctap.get_next_assertion()
        ids = {r.user["id"], n.user["id"]}
        if ids != {b"u2", b"u5"}:
            return "users %r" % ids
        return expect_err(0x30, c.ctap.get_next_assertion)
    case("two credentials: numberOfCredentials and getNextAssertion")(
        next_assertion)

    def change_pin():
        cp, _ = c.pin(2)
        cp.change_pin("123456", "654321")
        if expect_err(0x31, c.token, 2, "123456") is not True:
            return "old PIN still accepted"
        cp, _ = c.pin(2)
        if cp.get_pin_retries()[0] != 7:
            return "retries after one wrong PIN not 7"
        c.token(2, "654321")
        return cp.get_pin_retries()[0] == 8 or "retries not back to 8"
    case("changePIN; old PIN is PIN_INVALID and costs one retry")(change_pin)

    def retries():
        cp, _ = c.pin(1)
        errs = [ctap_error(c.token, 1, "0000") for _ in range(3)]
        if errs != [0x31, 0x31, 0x34]:
            return "wrong PIN x3: %r" % errs
        if ctap_error(c.token, 1, "654321") != 0x34:
            return "right PIN before power cycle not blocked"
        n, power = cp.get_pin_retries()
        if n != 5 or power is not True:
            return "retries %r powerCycleState %r" % (n, power)
        c.power_cycle()
        c.token(1, "654321")
        return cp.get_pin_retries()[0] == 8 or "retries not reset"
    case("3 wrong PINs: PIN_AUTH_BLOCKED until power cycle; retries "
         "count down")(retries)

    def min_pin():
        tok, p = c.token(2, "654321", PERM_ACFG, rp=None)
        Config(c.ctap, p, tok).set_min_pin_length(8)
        i = c.info()
        if i.min_pin_length != 8 or not i.force_pin_change:
            return "minPINLength %r forcePINChange %r" % (
                i.min_pin_length, i.force_pin_change)
        if expect_err(0x37, c.token, 2, "654321") is not True:
            return "token while forcePINChange"
        cp, _ = c.pin(2)
        if expect_err(0x37, cp.change_pin, "654321", "1234567") is not True:
            return "7-digit PIN accepted with minPINLength 8"
        cp.change_pin("654321", "87654321")
        return (not c.info().force_pin_change) or "forcePINChange stays"
    case("setMinPINLength 8: forcePINChange, short PIN refused, change "
         "clears it")(min_pin)

    def force_change():
        tok, p = c.token(2, "87654321", PERM_ACFG, rp=None)
        cfg = Config(c.ctap, p, tok)
        r = expect_err(0x37, cfg.set_min_pin_length, 6)
        if r is not True:
            return "lowering minPINLength: %s" % r
        tok, p = c.token(2, "87654321", PERM_ACFG, rp=None)
        Config(c.ctap, p, tok).set_min_pin_length(force_change_pin=True)
        if not c.info().force_pin_change:
            return "forcePINChange not set"
        cp, _ = c.pin(1)
        if expect_err(0x37, cp.change_pin, "87654321", "87654321") is not True:
            return "same PIN accepted"
        cp.change_pin("87654321", "12345678")
        c.token(1, "12345678")
        return True
    case("forceChangePin: tokens refused until changePIN to a new PIN")(
        force_change)

    def config_no_token():
        return expect_err(0x36, c.ctap.config, 0x03, {3: True})
    case("authenticatorConfig without pinUvAuthParam: PUAT_REQUIRED")(
        config_no_token)

    def ext_apdu():
        c.dev.use_ext_apdu = True
        try:
            tok, p = c.token(2, "12345678", PERM_MC)
            att, h = c.make(b"u6", False, tok, p, tag="ext")
            return check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
        finally:
            c.dev.use_ext_apdu = False
    case("extended-length APDUs: makeCredential")(ext_apdu)

    if state:
        # Leave a credential for the persistence check after a restart.
        def keep():
            tok, p = c.token(2, "12345678", PERM_MC)
            att, _ = c.make(b"keep", True, tok, p, tag="keep")
            with open(state, "wb") as f:
                f.write(bytes(att.auth_data.credential_data))
        case("credential made for the restart check")(keep)


def scen_persist(reader, state):
    from fido2.ctap2 import AttestedCredentialData
    c = Card(reader)
    with open(state, "rb") as f:
        cd = AttestedCredentialData(f.read())

    def persisted():
        i = c.info()
        if not i.options.get("clientPin") or i.min_pin_length != 8:
            return "PIN state lost: %r" % i
        tok, p = c.token(2, "12345678", PERM_GA)
        r, h = c.assert_([{"type": "public-key", "id": cd.credential_id}],
                         tok, p)
        return check_assertion(r, h, cd.public_key, FLAG_UP | FLAG_UV,
                               b"keep")
    case("restart with --state: PIN, minPINLength and credential kept")(
        persisted)


def scen_preset(reader, _):
    c = Card(reader)

    def preset():
        i = c.info()
        if not i.options.get("clientPin") or i.min_pin_length != 6:
            return "options %r min %r" % (i.options, i.min_pin_length)
        cp, _ = c.pin(2)
        if expect_err(0x30, cp.set_pin, "999999") is not True:
            return "setPIN on a card with a PIN"
        if expect_err(0x36, c.make, b"p", False) is not True:
            return "makeCredential without token"
        tok, p = c.token(2, "246810")
        att, h = c.make(b"p", False, tok, p)
        return check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
    case("--pin/--min-pin: card starts with a PIN set")(preset)


def scen_slow(reader, _):
    c = Card(reader)  # getInfo went through 01 9100 polling already

    def slow_mc():
        cp, _ = c.pin(2)
        cp.set_pin("1357")
        tok, p = c.token(2, "1357")
        att, h = c.make(b"s", True, tok, p)
        return check_attestation(att, h, FLAG_UP | FLAG_UV | FLAG_AT)
    case("--slow with NFCCTAP_GETRESPONSE polling, --chunk responses: "
         "makeCredential")(slow_mc)

    def cancel():
        resp, sw = c.apdu("8010800001" + "04")
        if (resp, sw) != (b"\x01", 0x9100):
            return "first answer %r %04x" % (resp, sw)
        resp, sw = c.apdu("8011000000")
        if (resp, sw) != (b"\x01", 0x9100):
            return "poll %r %04x" % (resp, sw)
        resp, sw = c.apdu("80111100")
        return (resp, sw) == (b"\x2d", 0x9000) or "cancel %r %04x" % (
            resp, sw)
    case("NFCCTAP_GETRESPONSE cancel (80 11 11 00): KEEPALIVE_CANCEL")(cancel)

    def no_getresponse():
        resp, sw = c.apdu("801000000104" + "00")  # P1 00: card blocks
        data = resp
        while (sw >> 8) == 0x61:
            if len(resp) > 17:
                return "piece of %d bytes with --chunk 17" % len(resp)
            resp, sw = c.apdu("80C00000%02X" % (sw & 0xff))
            data += resp
        return (sw == 0x9000 and data[0] == 0 and len(data) > 100) or \
            "sw %04x len %d" % (sw, len(data))
    case("P1 00 (no polling): card answers after the delay, 61xx "
         "chunks")(no_getresponse)


def scen_full(reader, _):
    c = Card(reader)

    def full():
        if c.info().remaining_disc_creds != 0:
            return "remainingDiscoverableCredentials not 0"
        r = expect_err(0x28, c.make, b"f", True)
        if r is not True:
            return r
        att, h = c.make(b"f", False)
        return check_attestation(att, h, FLAG_UP | FLAG_AT)
    case("--full: rk makeCredential KEY_STORE_FULL, non-rk works")(full)


def scen_nonfido(reader, _):
    def nonfido():
        devs = list(CtapPcscDevice.list_devices(reader))
        return not devs or "a FIDO device was found"
    case("--non-fido: SELECT fails, no FIDO device")(nonfido)


def scen_pull(reader, _):
    c = Card(reader)

    def pulled():
        cp, _ = c.pin(2)
        try:
            c.make(b"x", False)
        except Exception:  # noqa: BLE001 - any transport error is right
            return True
        return "makeCredential succeeded on a card that left the field"
    case("--pull-at makeCredential: the exchange fails")(pulled)


SCENARIOS = {
    "basic": scen_basic, "persist": scen_persist, "preset": scen_preset,
    "slow": scen_slow, "full": scen_full, "nonfido": scen_nonfido,
    "pull": scen_pull,
}


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in SCENARIOS:
        print("usage: check_card.py READER %s [STATEFILE]" %
              "|".join(SCENARIOS), file=sys.stderr)
        return 2
    reader, scen = sys.argv[1], sys.argv[2]
    state = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        SCENARIOS[scen](reader, state)
    except Exception as e:  # noqa: BLE001 - setup failure is a failure
        report(False, "%s: setup" % scen, "%s: %s" % (type(e).__name__, e))
        traceback.print_exc(file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
