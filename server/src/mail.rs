//! Email through lettre: SMTP when `ORGKIT_SMTP_URL` is set, otherwise one `.eml` file per
//! message in the outbox directory (development).

use crate::startup::StartupError;
use crate::error::{ApiError, ApiResult};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use orgkit_core::settings::EffectiveSettings;

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A directory of `.eml` files.
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// One email to send.
#[derive(Debug, Clone)]
pub struct Email {
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

impl Mailer {
    /// SMTP from a URL (`smtp://host:port`, `smtps://…`), or the outbox directory.
    pub fn new(smtp_url: Option<&str>, outbox_dir: &str) -> Result<Mailer, StartupError> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| StartupError::new("ORGKIT_SMTP_URL", format!("not a usable SMTP URL ({e})")))?
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(outbox_dir)
                    .map_err(|e| StartupError::new("ORGKIT_OUTBOX_DIR", format!("cannot create {outbox_dir} ({e})")))?;
                Ok(Mailer::Outbox(AsyncFileTransport::new(outbox_dir)))
            }
        }
    }

    /// Sends a multipart (text + HTML) email.
    pub async fn send(&self, from: &str, email: Email) -> ApiResult<()> {
        let from: Mailbox = from.parse().map_err(ApiError::internal)?;
        let to: Mailbox = email.to.parse().map_err(ApiError::internal)?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(email.subject)
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(ApiError::internal)?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(ApiError::internal),
            Mailer::Outbox(t) => t.send(message).await.map(|_| ()).map_err(ApiError::internal),
        }
    }
}

/// The invitation email: names the org, carries its effective branding and the link.
pub fn invitation_email(to: &str, org_name: &str, role: &str, link: &str, branding: &EffectiveSettings) -> Email {
    let color = escape(&branding.primary_color.value);
    let logo = branding
        .logo_url
        .value
        .as_deref()
        .map(|url| format!("<p><img src=\"{}\" alt=\"{}\" height=\"48\"></p>", escape(url), escape(org_name)))
        .unwrap_or_default();
    let welcome = branding.welcome_text.value.as_deref().map(|w| format!("<p>{}</p>", escape(w))).unwrap_or_default();
    let text = format!(
        "You have been invited to join {org_name} as {role}.\n\nAccept the invitation:\n{link}\n\n\
         If you did not expect this email, ignore it.\n"
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{logo}\
         <h1 style=\"color:{color}\">Join {name}</h1>{welcome}\
         <p>You have been invited to join <strong>{name}</strong> as {role}.</p>\
         <p><a href=\"{href}\" style=\"background:{color};color:#ffffff;padding:10px 16px;text-decoration:none;border-radius:4px\">Accept the invitation</a></p>\
         <p>Or open this link: {href}</p></body></html>",
        name = escape(org_name),
        role = escape(role),
        href = escape(link),
    );
    Email { to: to.to_owned(), subject: format!("You are invited to join {org_name}"), text, html }
}

/// The email verification email: the link that proves the address.
pub fn verification_email(to: &str, link: &str) -> Email {
    let text = format!(
        "Confirm that {to} is your email address:\n{link}\n\nThe link works for 48 hours. If you did not sign up, ignore this email.\n"
    );
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\"><h1>Confirm your email</h1>\
         <p>Confirm that {email} is your email address.</p><p><a href=\"{href}\">Confirm my email</a></p>\
         <p>Or open this link: {href}</p><p>The link works for 48 hours. If you did not sign up, ignore this email.</p></body></html>",
        email = escape(to),
        href = escape(link),
    );
    Email { to: to.to_owned(), subject: "Confirm your email address".to_owned(), text, html }
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
