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
pub fn invitation_email(to: &str, org_name: &str, role: &str, link: &str, branding: &EffectiveSettings) -> ApiResult<Email> {
    let context = minijinja::context! {
        name => org_name,
        role,
        link,
        color => &branding.primary_color.value,
        logo_url => &branding.logo_url.value,
        welcome => &branding.welcome_text.value,
    };
    Ok(Email {
        to: to.to_owned(),
        subject: format!("You are invited to join {org_name}"),
        text: render("mail/invitation.txt", &context)?,
        html: render("mail/invitation.html", &context)?,
    })
}

/// The email verification email: the link that proves the address.
pub fn verification_email(to: &str, link: &str) -> ApiResult<Email> {
    let context = minijinja::context! { email => to, link };
    Ok(Email {
        to: to.to_owned(),
        subject: "Confirm your email address".to_owned(),
        text: render("mail/verification.txt", &context)?,
        html: render("mail/verification.html", &context)?,
    })
}

fn render(template: &str, context: &minijinja::Value) -> ApiResult<String> {
    crate::templates::render(template, context).map_err(ApiError::internal)
}
