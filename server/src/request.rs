//! What the server knows about the request being served: its id, its client's address and its
//! User-Agent.
//! The middleware sets it once per request; the log span carries both, and the audit log
//! records the address and User-Agent of the request that made each change.

use crate::rate_limit::ClientAddress;
use orgkit_core::client_address::TrustedProxies;
use poem::Request;

/// The request id header, read from clients and proxies and echoed in every answer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest incoming request id kept; a longer one is replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The incoming `X-Request-Id` when well-formed, else a new UUID.
    pub id: String,
    /// The client (core's `client_address` with `ORGKIT_TRUSTED_PROXIES`).
    pub client: ClientAddress,
    /// The `User-Agent` header as received; [`Self::user_agent_text`] is what the audit log keeps.
    pub user_agent: Option<poem::http::HeaderValue>,
}

/// The longest User-Agent kept, in characters.
pub const MAX_USER_AGENT_CHARS: usize = 256;

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// The context of `req`: its id and its client.
    pub fn of(req: &Request, trusted: &TrustedProxies) -> RequestContext {
        let incoming = req.header(REQUEST_ID_HEADER).filter(|id| well_formed(id));
        let id = incoming.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        // Kept as received (a reference-counted copy): only an audited change reads it.
        let user_agent = req.headers().get(poem::http::header::USER_AGENT).cloned();
        RequestContext { id, client: ClientAddress::from_request(req, trusted), user_agent }
    }

    /// Runs `serve` with this context as the current one.
    pub async fn scope<F: Future>(self, serve: F) -> F::Output {
        CURRENT.scope(self, serve).await
    }

    /// The context of the request this task serves, if it serves one (not in the CLI).
    pub fn current() -> Option<RequestContext> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// The User-Agent for the audit log: printable, cut to [`MAX_USER_AGENT_CHARS`], none when
    /// empty or not text.
    pub fn user_agent_text(&self) -> Option<String> {
        let ua = self.user_agent.as_ref()?.to_str().ok()?;
        let kept: String = ua.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect();
        (!kept.trim().is_empty()).then_some(kept)
    }

    /// The client address as text, for the log and the audit log.
    pub fn client_text(&self) -> Option<String> {
        self.client.0.map(|ip| ip.to_string())
    }
}

/// An id another system made is kept when it is short printable ASCII without spaces: it goes
/// into log lines and a response header unescaped.
fn well_formed(id: &str) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_printable_ids_are_kept() {
        assert!(well_formed("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(well_formed("req_123.abc:7"));
        for bad in ["", "has space", "new\nline", "é", &"x".repeat(MAX_REQUEST_ID_LEN + 1)] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}
