"""The branded login page in headless Chromium (Debian `chromium` + `chromium-driver`, driven by
Selenium): the org's branding is rendered (computed colour checked), the email → discover →
password flow signs a member in, the custom domain selects the org, and a screenshot is kept."""

import os
import pathlib
import shutil
import urllib.parse

import jwt
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from conftest import call

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = pathlib.Path(os.environ.get("ORGKIT_TEST_ARTIFACTS", ROOT / "target" / "test-artifacts"))
DOMAIN = "auth.cardiology.test"
PASSWORD = "correct horse battery"


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("headless Chromium is not installed (scripts/setup.sh installs Debian chromium)")


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,800",
                # The custom domain resolves to the test server, so the browser sends `Host: auth.cardiology.test:PORT`.
                f"--host-resolver-rules=MAP {DOMAIN} 127.0.0.1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def brand_colour(driver):
    button = driver.find_element(By.ID, "continue")
    return driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", button)


def test_a_member_signs_in_on_the_org_branded_page(server, browser):
    base, key = server
    m = "/manage/v1/default"
    status, org = call(base, "POST", f"{m}/organizations", {"name": "Cardiology Department", "slug": "cardiology"}, key)
    assert status == 201, org
    status, _ = call(base, "PATCH", f"{m}/organizations/{org['id']}",
                     {"primary_color": "#0a7d4f", "welcome_text": "Cardiology Portal", "custom_domain": DOMAIN,
                      "logo_url": "https://cdn.hospital.test/cardiology.png"}, key)
    assert status == 200
    status, signup = call(base, "POST", "/api/v1/auth/signup", {"email": "alice@hospital.test", "password": PASSWORD})
    assert status == 201, signup
    status, me = call(base, "GET", "/api/v1/me", token=signup["data"]["accessToken"])
    status, _ = call(base, "POST", f"{m}/organizations/{org['id']}/members", {"user_id": me["data"]["id"], "role": "admin"}, key)
    assert status == 201

    wait = WebDriverWait(browser, 15)
    browser.get(f"{base}/login?organization=cardiology")
    assert browser.find_element(By.ID, "welcome").text == "Cardiology Portal"
    assert browser.find_element(By.ID, "logo").get_attribute("src") == "https://cdn.hospital.test/cardiology.png"
    assert brand_colour(browser) == "rgb(10, 125, 79)"
    browser.execute_script("document.addEventListener('orgkit:login', (e) => { window.orgkitSession = e.detail; })")

    browser.find_element(By.ID, "email").send_keys("alice@hospital.test")
    browser.find_element(By.ID, "continue").click()
    wait.until(ec.visibility_of_element_located((By.ID, "password")))
    assert browser.find_element(By.ID, "who").text == "alice@hospital.test"
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.ID, "sign-in").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "message"), "password"))
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "password"

    browser.find_element(By.ID, "password").clear()
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "signed-in")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "login-page.png"))
    assert (ARTIFACTS / "login-page.png").stat().st_size > 0

    token = browser.execute_script("return window.orgkitSession.accessToken")
    signing_key = jwt.PyJWKClient(base + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["ES256"], audience="orgkit", issuer=base)
    assert (claims["org_slug"], claims["org_role"], claims["amr"]) == ("cardiology", "admin", ["pwd"])

    # The org's custom domain serves its page without naming the org.
    port = urllib.parse.urlsplit(base).port
    browser.get(f"http://{DOMAIN}:{port}/login")
    assert browser.find_element(By.ID, "welcome").text == "Cardiology Portal"
    assert brand_colour(browser) == "rgb(10, 125, 79)"


def test_the_tenant_page_has_the_tenant_branding(server, browser):
    base, key = server
    status, _ = call(base, "PATCH", "/manage/v1/default/settings", {"primary_color": "#aa3300"}, key)
    assert status == 200
    browser.get(f"{base}/login")
    assert browser.find_element(By.ID, "welcome").text == "Sign in to Default"
    assert brand_colour(browser) == "rgb(170, 51, 0)"
