//! Every page and email the server renders, as minijinja templates: HTML autoescaped (text
//! emails are not), values passed as data, JSON for scripts through `tojson` (safe inside a
//! `<script>` element). Loaded once.

use minijinja::Environment;
use serde::Serialize;
use std::sync::OnceLock;

/// Each template by name, with its source.
const TEMPLATES: &[(&str, &str)] = &[
    ("pages/login.html", include_str!("pages/login.html")),
    ("pages/invitation.html", include_str!("pages/invitation.html")),
    ("pages/verify_email.html", include_str!("pages/verify_email.html")),
    ("pages/message.html", include_str!("pages/message.html")),
    ("mail/invitation.html", include_str!("mail/invitation.html")),
    ("mail/invitation.txt", include_str!("mail/invitation.txt")),
    ("mail/verification.html", include_str!("mail/verification.html")),
    ("mail/verification.txt", include_str!("mail/verification.txt")),
    ("portal/layout.html", include_str!("portal/layout.html")),
    ("portal/refused.html", include_str!("portal/refused.html")),
    ("portal/domains.html", include_str!("portal/domains.html")),
    ("portal/sso.html", include_str!("portal/sso.html")),
    ("portal/scim.html", include_str!("portal/scim.html")),
    ("portal/members.html", include_str!("portal/members.html")),
    ("portal/audit_log.html", include_str!("portal/audit_log.html")),
];

/// The portal's stylesheet.
pub const PORTAL_CSS: &str = include_str!("portal/portal.css");
/// The portal's script (copy buttons).
pub const PORTAL_JS: &str = include_str!("portal/portal.js");

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "a template does not parse");
            }
        }
        env
    })
}

/// Renders template `name` with `context`.
pub fn render(name: &str, context: impl Serialize) -> Result<String, minijinja::Error> {
    environment().get_template(name)?.render(context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            assert!(environment().get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn values_cannot_break_out_of_html_or_a_script() {
        let hostile = "</script><script>alert(1)</script>\"'<b>";
        let config = serde_json::json!({ "tenant": hostile, "organization": null });
        let html = render("pages/login.html", context! { name => hostile, color => "#123456", welcome => hostile, config }).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(!html.contains("<script>alert(1)"), "{html}");
        assert!(!html.contains("<b>"));
        let data = html.split("id=\"login-config\">").nth(1).and_then(|s| s.split("</script>").next()).unwrap_or_default();
        let parsed: serde_json::Value = serde_json::from_str(data).unwrap_or_else(|e| panic!("{e}: {data}"));
        assert_eq!(parsed["tenant"], hostile);
    }

    #[test]
    fn text_emails_are_not_escaped() {
        let text = render("mail/invitation.txt", context! { name => "R&D <Lab>", role => "admin", link => "https://x.test/i?a=1&b=2" }).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(text.contains("R&D <Lab>") && text.contains("https://x.test/i?a=1&b=2"), "{text}");
    }
}
