// The login page's flow: email → POST /api/v1/auth/discover → SSO redirect, or password
// (+ TOTP when the org requires it) → POST /api/v1/auth/login. Every decision is the server's
// (core's explain-login and login policy); this script only follows the answers.
"use strict";
(() => {
  const config = JSON.parse(document.getElementById("login-config").textContent);
  const $ = (id) => document.getElementById(id);
  const message = $("message");
  let email = "";

  const say = (text, isError) => {
    message.textContent = text;
    message.className = isError ? "error" : "";
  };
  const setState = (state) => { document.body.dataset.state = state; };
  const post = async (path, body) => {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => null);
    if (answer && answer.success) return answer.data;
    const error = (answer && answer.error) || { code: "unavailable", message: `HTTP ${response.status}` };
    throw error;
  };
  const context = () => {
    const body = { tenant: config.tenant };
    if (config.organization) body.organization = config.organization;
    return body;
  };
  const busy = (button, on) => { button.disabled = on; };

  $("email-step").addEventListener("submit", async (event) => {
    event.preventDefault();
    email = $("email").value.trim();
    if (!email) return say("Enter your email.", true);
    busy($("continue"), true);
    say("");
    try {
      const route = await post("/api/v1/auth/discover", { ...context(), email });
      if (route.locked) {
        setState("locked");
        return say(`Too many attempts. Try again after ${new Date(route.lockedUntil).toLocaleTimeString()}.`, true);
      }
      if (route.method === "sso" && route.loginUrl) {
        setState("sso");
        say("Redirecting to your identity provider…");
        // Where the browser lands after the IdP: the page's own `redirect_uri` (the server
        // checks it against the tenant's allowed redirect URLs), never this page itself.
        const target = new URL(route.loginUrl, location.origin);
        const back = new URLSearchParams(location.search).get("redirect_uri");
        if (back) target.searchParams.set("RelayState", back);
        return location.assign(target.toString());
      }
      $("who").textContent = email;
      $("totp-field").hidden = !route.mfaRequired;
      $("email-step").hidden = true;
      $("password-step").hidden = false;
      setState("password");
      $("password").focus();
    } catch (error) {
      say(error.message || "Something went wrong.", true);
    } finally {
      busy($("continue"), false);
    }
  });

  $("change-email").addEventListener("click", (event) => {
    event.preventDefault();
    $("password-step").hidden = true;
    $("email-step").hidden = false;
    setState("email");
    say("");
  });

  $("password-step").addEventListener("submit", async (event) => {
    event.preventDefault();
    busy($("sign-in"), true);
    say("");
    const body = { ...context(), email, password: $("password").value };
    const totp = $("totp").value.trim();
    if (totp) body.totp = totp;
    try {
      const session = await post("/api/v1/auth/login", body);
      setState("signed-in");
      $("password-step").hidden = true;
      say(`Signed in as ${email}.`);
      document.dispatchEvent(new CustomEvent("orgkit:login", { detail: session }));
      // `?next=portal`: on to the admin portal, whose server decides whether this member may.
      if (new URLSearchParams(location.search).get("next") === "portal") {
        const answer = await fetch("/portal/session", { method: "POST", headers: { authorization: `Bearer ${session.accessToken}` } });
        const reply = await answer.json();
        if (answer.ok) return location.assign(reply.location);
        say(reply.error.message, true);
      }
    } catch (error) {
      if (error.code === "mfa_required") {
        $("totp-field").hidden = false;
        $("totp").focus();
      }
      setState("password");
      say(error.message || "Sign-in failed.", true);
    } finally {
      busy($("sign-in"), false);
    }
  });
})();
