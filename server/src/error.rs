//! The one place errors become HTTP: the status comes from core's code table
//! (`ErrorCode::http_status`), the body is `{"success": false, "error": {code, message, field?}}`.

use orgkit_core::{Error, ErrorCode};
use poem::http::StatusCode;
use poem::{Body, Response};
use serde_json::json;

/// An error answered to a client: core's error plus what only HTTP carries.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{inner}")]
pub struct ApiError {
    /// The coded error.
    pub inner: Error,
    /// Until when an account is locked (for `account_locked`): answered as `Retry-After` and
    /// `lockedUntil`.
    pub locked_until: Option<i64>,
    /// What the client needs to carry on, answered beside `code` and `message` (for
    /// `mfa_enrollment_required`: the `enrolment` to scan).
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
    /// Seconds to wait before trying again (for `rate_limited`): answered as `Retry-After`.
    pub retry_after: Option<u64>,
}

/// Result of a service or store call.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { inner: Error::new(code, message), locked_until: None, details: None, retry_after: None }
    }

    /// `not_found` for a resource kind.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// `rate_limited`, to be tried again after `wait` (answered in whole seconds, at least 1).
    pub fn rate_limited(wait: std::time::Duration) -> ApiError {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut err = ApiError::new(ErrorCode::RateLimited, format!("too many attempts: try again in {} seconds", seconds.max(1)));
        err.retry_after = Some(seconds.max(1));
        err
    }

    /// `account_locked` until `until` (answered as `lockedUntil` and `Retry-After`, counted from
    /// `now`); any other refusal unchanged.
    pub fn locked(e: Error, until: Option<i64>, now: i64) -> ApiError {
        let mut err = ApiError::from(e);
        if err.code() == ErrorCode::AccountLocked {
            err.locked_until = until;
            err.retry_after = until.map(|u| u64::try_from(u - now).unwrap_or(0));
        }
        err
    }

    /// A host failure: logged with its detail, answered with a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(ErrorCode::InternalError, "internal error")
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.inner.code
    }

    /// The HTTP response for this error.
    pub fn to_response(&self) -> Response {
        let status = StatusCode::from_u16(self.inner.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut error = json!({ "code": self.inner.code.as_str(), "message": self.inner.message });
        if let (Some(field), Some(obj)) = (&self.inner.field, error.as_object_mut()) {
            obj.insert("field".to_owned(), json!(field));
        }
        if let (Some(until), Some(obj)) = (self.locked_until, error.as_object_mut()) {
            obj.insert("lockedUntil".to_owned(), json!(crate::clock::rfc3339(until)));
        }
        if let (Some(details), Some(obj)) = (&self.details, error.as_object_mut()) {
            for (k, v) in details {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let body = json!({ "success": false, "error": error });
        let mut resp = Response::builder()
            .status(status)
            .content_type("application/json")
            .body(Body::from_string(body.to_string()));
        if let Some(seconds) = self.retry_after
            && let Ok(v) = seconds.max(1).to_string().parse()
        {
            resp.headers_mut().insert("retry-after", v);
        }
        resp
    }

    /// Turns any error that reached the top of the app into a coded answer. Errors raised by
    /// poem itself (unparsable JSON, wrong content type, unknown route) get the code that
    /// matches their status.
    pub fn from_poem(err: &poem::Error) -> ApiError {
        if let Some(api) = err.downcast_ref::<ApiError>() {
            return api.clone();
        }
        let status = err.status();
        let code = match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            s if s.is_client_error() => ErrorCode::InvalidRequest,
            _ => return ApiError::internal(err),
        };
        let message = match code {
            ErrorCode::NotFound => "no such resource".to_owned(),
            ErrorCode::Unauthenticated => "expected an Authorization: Bearer <token> header".to_owned(),
            ErrorCode::PayloadTooLarge => "request body too large".to_owned(),
            _ => bounded(&err.to_string()),
        };
        ApiError::new(code, message)
    }
}

fn bounded(message: &str) -> String {
    message.chars().take(300).collect()
}

impl From<Error> for ApiError {
    fn from(inner: Error) -> ApiError {
        ApiError { inner, locked_until: None, details: None, retry_after: None }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal(e)
    }
}

/// The one mapping of store failures: a conflict is the client's, coded; the rest is logged
/// and answered as `internal_error`.
impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        use crate::store::StoreError;
        match e {
            StoreError::Conflict { code, message } => ApiError::new(code, message),
            StoreError::Corrupt(_) | StoreError::Database(_) => ApiError::internal(e),
        }
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.inner.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn as_response(&self) -> Response {
        self.to_response()
    }
}

/// The error body, as documented in the OpenAPI document.
#[derive(poem_openapi::Object)]
struct ErrorBody {
    /// Always `false`.
    success: bool,
    /// The coded error.
    error: ErrorDetail,
}

/// A coded error: `code` is stable (core's table), `message` is for humans.
#[derive(poem_openapi::Object)]
#[oai(rename_all = "camelCase")]
struct ErrorDetail {
    /// Stable snake_case code, e.g. `last_owner`.
    code: String,
    /// A sentence for humans.
    message: String,
    /// The input field at fault, when there is one.
    field: Option<String>,
    /// For `account_locked`: until when (RFC 3339), as `Retry-After` says in seconds.
    locked_until: Option<String>,
    /// For `mfa_enrollment_required` on login: the TOTP enrolment to scan; the next login
    /// with a code of it confirms the factor.
    enrolment: Option<ErrorEnrolment>,
}

/// A pending TOTP enrolment handed out with `mfa_enrollment_required`.
#[derive(poem_openapi::Object)]
#[oai(rename_all = "camelCase")]
struct ErrorEnrolment {
    /// The secret, base32 (for manual entry).
    secret: String,
    /// `otpauth://totp/…` (for a QR code).
    otpauth_uri: String,
}

/// Every status an error can carry, for the OpenAPI document.
#[derive(poem_openapi::ApiResponse)]
#[allow(dead_code)] // only its metadata is used: errors are rendered by `ApiError::to_response`
enum ErrorResponses {
    /// Malformed input, unknown field, over-long input.
    #[oai(status = 400)]
    BadRequest(poem_openapi::payload::Json<ErrorBody>),
    /// Missing, malformed, expired or wrongly signed credentials.
    #[oai(status = 401)]
    Unauthorized(poem_openapi::payload::Json<ErrorBody>),
    /// Authenticated, but the role does not allow it.
    #[oai(status = 403)]
    Forbidden(poem_openapi::payload::Json<ErrorBody>),
    /// Not found, another tenant's or org's, or the caller is not a member.
    #[oai(status = 404)]
    NotFound(poem_openapi::payload::Json<ErrorBody>),
    /// Conflict: slug or domain taken, last owner, invitation used or revoked.
    #[oai(status = 409)]
    Conflict(poem_openapi::payload::Json<ErrorBody>),
    /// Invitation expired.
    #[oai(status = 410)]
    Gone(poem_openapi::payload::Json<ErrorBody>),
    /// Body too large.
    #[oai(status = 413)]
    PayloadTooLarge(poem_openapi::payload::Json<ErrorBody>),
    /// A value out of its range or format.
    #[oai(status = 422)]
    Unprocessable(poem_openapi::payload::Json<ErrorBody>),
    /// Account locked (with `Retry-After`).
    #[oai(status = 423)]
    Locked(poem_openapi::payload::Json<ErrorBody>),
    /// Too many attempts from this address or for this account (with `Retry-After`).
    #[oai(status = 429)]
    TooManyRequests(poem_openapi::payload::Json<ErrorBody>),
    /// Host failure.
    #[oai(status = 500)]
    Internal(poem_openapi::payload::Json<ErrorBody>),
    /// Not implemented yet.
    #[oai(status = 501)]
    NotImplemented(poem_openapi::payload::Json<ErrorBody>),
}

impl poem_openapi::ApiResponse for ApiError {
    fn meta() -> poem_openapi::registry::MetaResponses {
        ErrorResponses::meta()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        ErrorResponses::register(registry);
    }
}
