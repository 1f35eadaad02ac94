"""The admin portal in headless Chromium, walked as a customer's IT admin from the links the operator
makes: verify the org's domain (the TXT record served by a real DNS server on loopback), configure SAML
through the wizard with a pysaml2 IdP (served over TLS on loopback), download the SP metadata, run the
test login, then a user signs in through the org's login page and the same IdP. Screenshots of each page
go to target/test-artifacts/portal-*.png. And what a link's holder cannot reach: a used, expired or
forged link, another task's page, another org, a form without the session's CSRF token."""

import base64
import http.cookiejar
import os
import re
import ssl
import tempfile
import threading
import urllib.parse
import urllib.request
import zlib
from xml.etree import ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from conftest import IDP_ENTITY, NO_RATE_LIMIT, Idp, call, dns_server, free_port, key_and_certificate, running_server
from test_login_page import ARTIFACTS, chromium_binary

M = "/manage/v1/default"
IDP_HOST = "idp.acme.test"


class BrowserIdp:
    """The pysaml2 IdP of conftest behind https://idp.acme.test:PORT/saml/sso (a self-signed certificate
    the browser is told to accept): a redirect-binding AuthnRequest gets a page whose button posts the
    signed Response for `self.email` to the ACS the request names."""

    def __init__(self, tmp):
        self.tmp, self.idp, self.email, self.port = tmp, None, None, free_port()
        key_pem, cert_pem = key_and_certificate(IDP_HOST)
        self.keys = key_and_certificate(IDP_HOST + "-signing")
        for name, data in (("tls.key", key_pem), ("tls.crt", cert_pem)):
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                # The redirect binding: base64 of the raw-deflated AuthnRequest.
                request = ElementTree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15))
                acs = request.get("AssertionConsumerServiceURL")
                issuer = request.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer").text
                xml = owner.idp.response(owner.email, (issuer, acs), in_response_to=request.get("ID"))
                relay = query.get("RelayState", [""])[0]
                page = (f'<!doctype html><title>IdP</title><form method="post" action="{acs}">'
                        f'<input type="hidden" name="SAMLResponse" value="{base64.b64encode(xml.encode()).decode()}">'
                        f'<input type="hidden" name="RelayState" value="{relay}">'
                        f'<button id="continue" type="submit">Continue as {owner.email}</button></form>')
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.end_headers()
                self.wfile.write(page.encode())

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(tmp, "tls.crt"), os.path.join(tmp, "tls.key"))
        self.http.socket = context.wrap_socket(self.http.socket, server_side=True)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.sso_url = f"https://{IDP_HOST}:{self.port}/saml/sso"

    def trust(self, sp_metadata):
        """Loads the SP's metadata, as an IT admin uploads it into their IdP."""
        self.idp = Idp(self.tmp, "portal-idp", sp_metadata, keys=self.keys)

    def close(self):
        self.http.shutdown()


@pytest.fixture()
def world():
    with tempfile.TemporaryDirectory() as tmp, dns_server() as (resolver, records):
        env = {"ORGKIT_DNS_RESOLVER": resolver, **NO_RATE_LIMIT}
        with running_server("sqlite", env) as (base, key, _):
            idp = BrowserIdp(tmp)
            try:
                yield base, key, records, idp
            finally:
                idp.close()


@pytest.fixture()
def browser(world):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900",
                f"--host-resolver-rules=MAP {IDP_HOST} 127.0.0.1", "--ignore-certificate-errors"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    try:
        yield driver
    finally:
        driver.quit()


def ok(status, body, expected):
    assert status == expected, (status, body)
    return body


def link(base, key, org, intent):
    made = ok(*call(base, "POST", f"{M}/organizations/{org}/portal-links", {"intent": intent}, key), 201)
    assert made["url"].startswith(base + "/portal/open/") and made["intent"] == intent and made["expires_at"]
    return made["url"]


def shot(driver, name):
    """A screenshot of the whole page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, max(900, height + 140))
    driver.save_screenshot(str(ARTIFACTS / f"portal-{name}.png"))
    driver.set_window_size(1100, 900)


def claims_of_fragment(base, url):
    fragment = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).fragment))
    token = fragment["access_token"]
    key = jwt.PyJWKClient(base + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256"], audience="orgkit", issuer=base)


def test_an_it_admin_verifies_a_domain_sets_up_saml_and_users_sign_in(world, browser):
    base, key, records, idp = world
    wait = WebDriverWait(browser, 20)
    org = ok(*call(base, "POST", f"{M}/organizations", {"name": "Acme Corp", "slug": "acme", "primary_color": "#0a7d4f"}, key), 201)["id"]

    # Domains: claim, publish the record the page shows, verify.
    browser.get(link(base, key, org, "domains"))
    assert browser.current_url == base + "/portal/domains"
    assert browser.find_element(By.CLASS_NAME, "org").text == "Acme Corp"
    colour = browser.execute_script("return getComputedStyle(document.querySelector('header')).borderBottomColor")
    assert colour == "rgb(10, 125, 79)", "the org's branding"
    browser.find_element(By.ID, "domain").send_keys("acme.test")
    browser.find_element(By.CSS_SELECTOR, "form[action='/portal/domains'] button").click()
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "tr[data-domain='acme.test']")))
    assert row.find_element(By.CLASS_NAME, "status").text == "pending"
    name = row.find_element(By.CLASS_NAME, "record-name").text
    value = row.find_element(By.CLASS_NAME, "record-value").text
    shot(browser, "domains-pending")
    records.set(name, value)
    row.find_element(By.CSS_SELECTOR, "form button").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "tr[data-domain='acme.test'] .status"), "verified"))
    assert "Domain verified" in browser.find_element(By.CLASS_NAME, "notice").text
    shot(browser, "domains-verified")

    # SSO wizard: the IdP's details, then our metadata for the IdP, then a test login.
    browser.delete_all_cookies()
    browser.get(link(base, key, org, "sso"))
    assert browser.current_url == base + "/portal/sso"
    browser.find_element(By.ID, "entity_id").send_keys(IDP_ENTITY)
    browser.find_element(By.ID, "sso_url").send_keys(idp.sso_url)
    browser.find_element(By.ID, "certificate").send_keys(idp.keys[1].decode())
    browser.find_element(By.ID, "email_domain").send_keys("acme.test")
    shot(browser, "sso-form")
    browser.find_element(By.CSS_SELECTOR, "form[action='/portal/sso'] button").click()
    wait.until(ec.presence_of_element_located((By.ID, "acs-url")))
    assert browser.find_element(By.ID, "sso-status").text == "enabled"
    acs = browser.find_element(By.ID, "acs-url").text
    assert re.fullmatch(re.escape(base) + r"/saml/[0-9a-f-]{36}/acs", acs)
    shot(browser, "sso-configured")

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    cookie = browser.get_cookie("orgkit_portal")
    opener.addheaders = [("cookie", f"orgkit_portal={cookie['value']}")]
    with opener.open(base + "/portal/sso/metadata.xml") as resp:
        assert resp.headers["content-disposition"].startswith("attachment")
        metadata = resp.read().decode()
    assert acs in metadata
    idp.trust(metadata)

    idp.email = "ann@acme.test"
    browser.find_element(By.ID, "test-login").click()
    wait.until(ec.presence_of_element_located((By.ID, "continue"))).click()
    wait.until(lambda d: d.current_url.startswith(base + "/portal/sso#"))
    claims = claims_of_fragment(base, browser.current_url)
    assert (claims["org_id"], claims["org_role"], claims["amr"]) == (org, "member", ["saml"])
    shot(browser, "sso-tested")

    # A user signs in through the org's login page and the same IdP.
    browser.delete_all_cookies()
    idp.email = "bob@acme.test"
    browser.get(f"{base}/login?organization=acme")
    browser.find_element(By.ID, "email").send_keys("bob@acme.test")
    browser.find_element(By.ID, "continue").click()
    wait.until(lambda d: IDP_HOST in d.current_url)
    wait.until(ec.element_to_be_clickable((By.ID, "continue"))).click()
    wait.until(lambda d: "#access_token=" in d.current_url)
    claims = claims_of_fragment(base, browser.current_url)
    assert (claims["org_slug"], claims["amr"]) == ("acme", ["saml"])
    members = ok(*call(base, "GET", f"{M}/organizations/{org}/members", None, key), 200)["data"]
    assert {m["email"] for m in members} == {"ann@acme.test", "bob@acme.test"}

    # What the IT admin did is in the org's audit log, named by the link.
    audit = ok(*call(base, "GET", f"{M}/organizations/{org}/audit-log?limit=100", None, key), 200)["data"]
    by_link = [e["action"] for e in audit if e["actor"].startswith("portal_link:")]
    assert {"domain.claimed", "domain.verified", "sso.configured"} <= set(by_link)


def test_a_link_opens_once_for_its_org_and_task_only(world, browser):
    base, key, _, _ = world
    org = ok(*call(base, "POST", f"{M}/organizations", {"name": "Acme Corp", "slug": "acme"}, key), 201)["id"]
    other = ok(*call(base, "POST", f"{M}/organizations", {"name": "Other Org", "slug": "other"}, key), 201)["id"]
    ok(*call(base, "POST", f"{M}/organizations/{other}/domains", {"domain": "other.test", "verified": True}, key), 201)

    url = link(base, key, org, "audit_log")
    browser.get(url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Audit log"
    shot(browser, "audit-log")
    # Used: refused, naming no org.
    browser.get(url)
    assert "already opened" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "Acme" not in browser.page_source
    # Forged: refused.
    browser.get(base + "/portal/open/" + "A" * 43)
    assert "Acme" not in browser.page_source and "Other" not in browser.page_source
    # Another task's page with this session: refused.
    browser.get(base + "/portal/domains")
    assert "Acme" not in browser.page_source
    # No session: refused.
    browser.delete_all_cookies()
    browser.get(base + "/portal/audit_log")
    assert "session" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text

    # The same answers to a plain client, with their statuses.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    for path, status in [(url.removeprefix(base), 409), ("/portal/open/forged", 404), ("/portal/members", 401)]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(base + path)
        assert refused.value.code == status, path
        assert refused.value.headers["content-security-policy"].startswith("default-src 'none'")

    # A members link: acts in its org only, up to admin, and every form needs the session's CSRF token.
    members_url = link(base, key, org, "members")
    with opener.open(members_url) as resp:
        page = resp.read().decode()
        assert resp.url == base + "/portal/members"
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = lambda **fields: urllib.parse.urlencode(fields).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(base + "/portal/members/invitations", form(csrf="forged", email="x@acme.test", role="member"))
    assert refused.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(base + "/portal/members/invitations", form(csrf=csrf, email="boss@acme.test", role="owner"))
    assert refused.value.code == 403 and "owner" in refused.value.read().decode()
    with opener.open(base + "/portal/members/invitations", form(csrf=csrf, email="cy@acme.test", role="admin")) as resp:
        assert "Invitation sent" in resp.read().decode()
    invitations = ok(*call(base, "GET", f"{M}/organizations/{org}/invitations", None, key), 200)["data"]
    assert [(i["email"], i["role"]) for i in invitations] == [("cy@acme.test", "admin")]
    assert ok(*call(base, "GET", f"{M}/organizations/{other}/invitations", None, key), 200)["data"] == []

    # A domains link cannot vouch for a domain, and its holder's claim of another org's verified
    # domain is refused.
    domains_url = link(base, key, org, "domains")
    with opener.open(domains_url) as resp:
        csrf = re.search(r'name="csrf" value="([^"]+)"', resp.read().decode()).group(1)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(base + "/portal/domains", form(csrf=csrf, domain="other.test"))
    assert refused.value.code == 409
    with opener.open(base + "/portal/domains", form(csrf=csrf, domain="acme.test", verified="true")) as resp:
        assert "pending" in resp.read().decode()


PASSWORD = "correct horse battery"


def signup(base, email):
    status, body = call(base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD})
    assert status == 201, body
    return body["data"]


def portal_sign_in(browser, base, email):
    browser.delete_all_cookies()
    browser.get(f"{base}/login?organization=acme&next=portal")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "continue").click()
    WebDriverWait(browser, 15).until(ec.visibility_of_element_located((By.ID, "password"))).send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()


def test_an_owner_signed_in_through_the_login_page_manages_members_and_reads_the_audit_log(world, browser):
    base, key, _, _ = world
    wait = WebDriverWait(browser, 15)
    owner = signup(base, "olga@acme.test")
    org = ok(*call(base, "POST", "/api/v1/organizations", {"name": "Acme Corp", "slug": "acme"}, owner["accessToken"]), 201)["data"]["id"]
    for email, role in (("adam@acme.test", "admin"), ("carl@acme.test", "member")):
        user = signup(base, email)
        me = ok(*call(base, "GET", "/api/v1/me", None, user["accessToken"]), 200)["data"]
        ok(*call(base, "POST", f"{M}/organizations/{org}/members", {"user_id": me["id"], "role": role}, key), 201)

    portal_sign_in(browser, base, "olga@acme.test")
    wait.until(lambda d: d.current_url == base + "/portal/members")
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]
    assert nav == ["Members", "Domains", "Single sign-on", "Directory sync", "Audit log"]
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-email='carl@acme.test']")
    row.find_element(By.CSS_SELECTOR, "select option[value='viewer'], select option:nth-child(1)").click()
    row.find_element(By.CSS_SELECTOR, "form[action$='/role'] button").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "tr[data-email='carl@acme.test'] .role"), "viewer"))
    shot(browser, "members")
    browser.find_element(By.LINK_TEXT, "Audit log").click()
    wait.until(lambda d: d.current_url == base + "/portal/audit_log")
    actions = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(3)")]
    assert "member.role_changed" in actions
    roles = {m["email"]: m["role"] for m in ok(*call(base, "GET", f"{M}/organizations/{org}/members", None, key), 200)["data"]}
    assert roles["carl@acme.test"] == "viewer"

    # An admin signs in too, and the owner's powers stay the owner's: SSO needs `sso:manage`.
    portal_sign_in(browser, base, "adam@acme.test")
    wait.until(lambda d: d.current_url == base + "/portal/members")
    browser.get(base + "/portal/sso")
    browser.find_element(By.ID, "entity_id").send_keys("https://idp.acme.test/saml")
    browser.find_element(By.ID, "sso_url").send_keys("https://idp.acme.test/saml/sso")
    browser.find_element(By.ID, "certificate").send_keys(key_and_certificate("x")[1].decode())
    browser.find_element(By.ID, "email_domain").send_keys("acme.test")
    browser.find_element(By.CSS_SELECTOR, "form[action='/portal/sso'] button").click()
    assert "requires role owner" in wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]"))).text
    assert ok(*call(base, "GET", f"{M}/organizations/{org}/audit-log?limit=100", None, key), 200)["data"][-1]["action"] == "member.role_changed"

    # A viewer is no admin: the login page says why, and no portal session is made.
    portal_sign_in(browser, base, "carl@acme.test")
    wait.until(ec.text_to_be_present_in_element((By.ID, "message"), "audit_log:read"))
    assert browser.current_url.startswith(base + "/login")
    browser.get(base + "/portal/members")
    assert "Acme" not in browser.page_source
