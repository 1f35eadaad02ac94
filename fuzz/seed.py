"""Seed corpora for the fuzz targets, from the vectors (every token, hostile or valid, and every
settings or organization body) and, for SAML, responses signed now by pysaml2 with a throwaway
key (the fuzz connection trusts another certificate, so they reach xmlsec and fail there).

Run by fuzz/run.sh with the test venv (pysaml2, cryptography): python fuzz/seed.py fuzz/corpus
"""

import hashlib
import json
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)


def objects_at(value, keys):
    if isinstance(value, list):
        for v in value:
            yield from objects_at(v, keys)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in keys:
                yield v
            yield from objects_at(v, keys)


def write(folder, items):
    folder.mkdir(parents=True, exist_ok=True)
    for item in items:
        data = item.encode() if isinstance(item, str) else item
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return len(list(folder.iterdir()))


def tokens(*files):
    for name in files:
        for s in strings(json.loads((VECTORS / name).read_text())):
            if s.count(".") >= 1 and s.startswith("ey"):
                yield s


def saml_responses():
    sys.path.insert(0, str(ROOT / "server" / "e2e"))
    from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1
    from test_saml import Idp

    sp = ("https://auth.test.orgkit.dev/saml/conn_fuzz", "https://auth.test.orgkit.dev/saml/conn_fuzz/acs")
    metadata = f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{sp[0]}">
<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sp[1]}" index="0"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""
    with tempfile.TemporaryDirectory() as tmp:
        idp = Idp(tmp, "fuzz-seed", metadata)
        yield idp.response("ann@example.com", sp, in_response_to="id-q1")
        yield idp.response("ann@example.com", sp, sign_response=False, sign_assertion=True)
        yield idp.response("ann@example.com", sp, sign_assertion=True)
        yield idp.response("ann@example.com", sp, email_in_name_id=False)
        yield idp.response("ann@example.com", sp, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1)


def main(out):
    out = pathlib.Path(out)
    token_list = list(tokens("tokens.json", "profiles.json"))
    counts = {
        "token_verify": write(out / "token_verify", token_list + [f"Bearer {t}" for t in token_list[:20]]),
        "invitation_verify": write(out / "invitation_verify", [f"bob@hospital.com\n{t}" for t in tokens("invitations.json")]
                                   + list(tokens("invitations.json"))),
        "settings_patch": write(out / "settings_patch", [json.dumps(v) for f in ("settings.json", "organizations.json")
                                                         for v in objects_at(json.loads((VECTORS / f).read_text()), {"patch", "body"})]),
        "saml_response": write(out / "saml_response", list(saml_responses())),
    }
    print("corpora (seeds and what earlier runs kept):", ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus")
