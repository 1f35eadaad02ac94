//! SAML 2.0 service provider on samael (xmlsec): SP metadata, the AuthnRequest of an
//! SP-initiated login, and the verification of a posted response.
//!
//! samael checks the XML signature against the connection's certificate (RSA-SHA256 only, so
//! SHA-1 is refused), the issuer, the audience, the recipient and destination, and the time
//! conditions. What it does not check is done here, explicitly: the document's shape before
//! any signature work ([`shape`]: exactly one assertion, no DTD, exclusive C14N), and after
//! it that the assertion samael verified is that one assertion. `InResponseTo` against the
//! requests we issued and replay need the database: the caller does them with what
//! [`VerifiedAssertion`] reports.

mod shape;

use crate::error::{ApiError, ApiResult};
use crate::store::connections::ConnectionRow;
use base64::Engine;
use orgkit_core::ErrorCode;
use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::{EntityDescriptor, HTTP_REDIRECT_BINDING, IdpSsoDescriptor, KeyDescriptor};
use samael::schema::Assertion;
use samael::service_provider::{Error as SpError, ServiceProvider};
use samael::traits::ToXml;
pub use shape::ResponseShape;

/// Tolerated clock difference with the IdP.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 60;
/// How old a response's or assertion's `IssueInstant` may be.
pub const MAX_ISSUE_DELAY_SECONDS: i64 = 120;
/// How long an AuthnRequest id stays usable as `InResponseTo`.
pub const REQUEST_TTL_SECONDS: i64 = 600;
/// Largest decoded SAML response accepted.
pub const MAX_RESPONSE_BYTES: usize = 48 * 1024;

const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const EMAIL_ATTRIBUTES: [&str; 4] = [
    "email",
    "mail",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];

/// The service provider's URLs for one connection.
#[derive(Debug, Clone)]
pub struct SpUrls {
    /// SP entity id: the audience a response must name.
    pub entity_id: String,
    /// Assertion consumer service: the recipient and destination a response must name.
    pub acs_url: String,
    /// SP-initiated login.
    pub login_url: String,
}

impl SpUrls {
    /// The URLs of `connection_id` under the server's public URL.
    pub fn new(public_url: &str, connection_id: &str) -> SpUrls {
        let base = format!("{public_url}/saml/{connection_id}");
        SpUrls { entity_id: base.clone(), acs_url: format!("{base}/acs"), login_url: format!("{base}/login") }
    }
}

/// What a verified response says, for the checks that need the database.
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    /// The assertion's `ID` (the replay key).
    pub id: String,
    /// The user's email, as the IdP asserted it (not yet normalised).
    pub email: Option<String>,
    /// The request this answers, when it is not IdP-initiated.
    pub in_response_to: Option<String>,
    /// The values of the connection's groups attribute (empty when it has none).
    pub groups: Vec<String>,
    /// Until when (unix seconds) the assertion would still be accepted: its replay record must
    /// be kept that long.
    pub usable_until: i64,
}

fn refused(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// Builds samael's SP for a connection.
fn service_provider(conn: &ConnectionRow, urls: &SpUrls) -> ApiResult<ServiceProvider> {
    let der = certificate_der(&conn.certificate)?;
    let idp = EntityDescriptor {
        entity_id: Some(conn.entity_id.clone()),
        idp_sso_descriptors: Some(vec![IdpSsoDescriptor {
            id: None,
            valid_until: None,
            cache_duration: None,
            protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".to_owned()),
            error_url: None,
            signature: None,
            key_descriptors: vec![KeyDescriptor {
                key_use: Some("signing".to_owned()),
                key_info: samael::key_info::KeyInfo {
                    id: None,
                    x509_data: Some(samael::key_info::X509Data {
                        certificates: vec![base64::engine::general_purpose::STANDARD.encode(der)],
                    }),
                },
                encryption_methods: None,
            }],
            single_sign_on_services: vec![samael::metadata::Endpoint {
                binding: HTTP_REDIRECT_BINDING.to_owned(),
                location: conn.sso_url.clone(),
                response_location: None,
            }],
            organization: None,
            contact_people: Vec::new(),
            artifact_resolution_service: Vec::new(),
            single_logout_services: Vec::new(),
            manage_name_id_services: Vec::new(),
            name_id_formats: Vec::new(),
            want_authn_requests_signed: None,
            name_id_mapping_services: Vec::new(),
            assertion_id_request_services: Vec::new(),
            attribute_profiles: Vec::new(),
            attributes: Vec::new(),
        }]),
        ..EntityDescriptor::default()
    };
    Ok(ServiceProvider {
        entity_id: Some(urls.entity_id.clone()),
        metadata_url: Some(urls.entity_id.clone()),
        acs_url: Some(urls.acs_url.clone()),
        // samael's default would advertise http://localhost:8080/saml/slo; there is no SLO here
        // and `metadata` drops the endpoint again.
        slo_url: Some(format!("{}/slo", urls.entity_id)),
        idp_metadata: idp,
        authn_name_id_format: Some(NAMEID_EMAIL.to_owned()),
        // InResponseTo is checked by the caller against the database (samael would need every
        // open request id up front); see `verify_response`.
        allow_idp_initiated: true,
        max_issue_delay: chrono::Duration::seconds(MAX_ISSUE_DELAY_SECONDS),
        max_clock_skew: chrono::Duration::seconds(MAX_CLOCK_SKEW_SECONDS),
        allowed_signature_algorithms: Some(vec![AllowedSignatureAlgorithm::RsaSha256]),
        ..ServiceProvider::default()
    })
}

/// The DER of a PEM certificate, which must parse as X.509 (core checked only its shape).
pub fn certificate_der(pem: &str) -> ApiResult<Vec<u8>> {
    let bad = || {
        ApiError::from(
            orgkit_core::Error::new(ErrorCode::InvalidRequest, "certificate is not a valid X.509 certificate").with_field("certificate"),
        )
    };
    let cert = openssl::x509::X509::from_pem(pem.as_bytes()).map_err(|_| bad())?;
    cert.public_key().map_err(|_| bad())?;
    cert.to_der().map_err(|_| bad())
}

/// The SP metadata XML of a connection: entity id and ACS (HTTP-POST); no logout endpoint.
pub fn metadata_xml(urls: &SpUrls, conn: &ConnectionRow) -> ApiResult<String> {
    let sp = service_provider(conn, urls)?;
    let mut metadata = sp.metadata().map_err(ApiError::internal)?;
    for d in metadata.sp_sso_descriptors.iter_mut().flatten() {
        d.single_logout_services = None;
    }
    metadata.to_string().map_err(ApiError::internal)
}

/// The IdP URL (HTTP-Redirect binding) that starts a login, carrying an AuthnRequest with id
/// `request_id` and `relay_state`.
pub fn login_redirect(urls: &SpUrls, conn: &ConnectionRow, request_id: &str, relay_state: &str) -> ApiResult<String> {
    let sp = service_provider(conn, urls)?;
    let mut request = sp.make_authentication_request(&conn.sso_url).map_err(ApiError::internal)?;
    request.id = request_id.to_owned();
    let url = request.redirect(relay_state).map_err(ApiError::internal)?.ok_or_else(|| ApiError::internal("no IdP SSO URL"))?;
    Ok(url.to_string())
}

/// Decodes the posted `SAMLResponse` and checks its shape (before any signature work).
pub fn decode_response(saml_response: &str) -> ApiResult<(String, ResponseShape)> {
    let compact: String = saml_response.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| refused(ErrorCode::SamlInvalidResponse, "SAMLResponse is not base64"))?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(refused(ErrorCode::SamlInvalidResponse, "SAMLResponse is too large"));
    }
    let xml = String::from_utf8(bytes).map_err(|_| refused(ErrorCode::SamlInvalidResponse, "SAMLResponse is not UTF-8 XML"))?;
    let shape = shape::inspect(&xml)?;
    Ok((xml, shape))
}

/// Verifies a decoded response for a connection (blocking: xmlsec work). The caller then
/// checks `in_response_to` and records `id` against replay.
pub fn verify_response(conn: &ConnectionRow, urls: &SpUrls, xml: &str, shape: &ResponseShape) -> ApiResult<VerifiedAssertion> {
    let sp = service_provider(conn, urls)?;
    let assertion = sp.parse_xml_response(xml, None).map_err(sp_error)?;
    // The assertion samael verified must be the document's one assertion (no wrapping).
    if assertion.id != shape.assertion_id {
        return Err(refused(ErrorCode::SamlInvalidSignature, "the signed assertion is not the response's assertion"));
    }
    let in_response_to = confirmation_in_response_to(&assertion);
    // A signed response's InResponseTo is covered by the signature; an unsigned wrapper's is
    // not, so then only the assertion's counts. Both present must agree.
    if let (Some(a), Some(r)) = (&in_response_to, &shape.response_in_response_to)
        && a != r
    {
        return Err(refused(ErrorCode::SamlUnknownRequest, "InResponseTo differs between response and assertion"));
    }
    let in_response_to = in_response_to.or_else(|| shape.response_signed.then(|| shape.response_in_response_to.clone()).flatten());
    let groups = conn.groups_attribute.as_deref().map(|name| attribute_values(&assertion, name)).unwrap_or_default();
    Ok(VerifiedAssertion { id: assertion.id.clone(), email: email_of(&assertion), in_response_to, groups, usable_until: usable_until(&assertion) })
}

fn confirmation_in_response_to(a: &Assertion) -> Option<String> {
    a.subject
        .as_ref()
        .and_then(|s| s.subject_confirmations.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| c.subject_confirmation_data.as_ref())
        .find_map(|d| d.in_response_to.clone())
}

/// The latest instant samael would still accept the assertion at.
fn usable_until(a: &Assertion) -> i64 {
    let conditions = a.conditions.as_ref().and_then(|c| c.not_on_or_after).map(|t| t.timestamp());
    let confirmations = a
        .subject
        .as_ref()
        .and_then(|s| s.subject_confirmations.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| c.subject_confirmation_data.as_ref().and_then(|d| d.not_on_or_after))
        .map(|t| t.timestamp())
        .max();
    let issued = a.issue_instant.timestamp() + MAX_ISSUE_DELAY_SECONDS;
    conditions.into_iter().chain(confirmations).chain([issued]).max().unwrap_or(issued) + MAX_CLOCK_SKEW_SECONDS
}

/// The email: an `emailAddress` NameID, else an email attribute.
fn email_of(a: &Assertion) -> Option<String> {
    let name_id = a.subject.as_ref().and_then(|s| s.name_id.as_ref());
    if let Some(n) = name_id
        && n.format.as_deref() == Some(NAMEID_EMAIL)
    {
        return Some(n.value.trim().to_owned());
    }
    a.attribute_statements
        .iter()
        .flatten()
        .flat_map(|s| s.attributes.iter())
        .filter(|attr| {
            let named = |n: &Option<String>| n.as_deref().is_some_and(|n| EMAIL_ATTRIBUTES.iter().any(|e| e.eq_ignore_ascii_case(n)));
            named(&attr.name) || named(&attr.friendly_name)
        })
        .find_map(|attr| attr.values.iter().find_map(|v| v.value.as_ref().map(|v| v.trim().to_owned())))
}

/// The values of the attributes named `name` (by `Name` or `FriendlyName`, ignoring case).
fn attribute_values(a: &Assertion, name: &str) -> Vec<String> {
    a.attribute_statements
        .iter()
        .flatten()
        .flat_map(|s| s.attributes.iter())
        .filter(|attr| [&attr.name, &attr.friendly_name].into_iter().any(|n| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name))))
        .flat_map(|attr| attr.values.iter().filter_map(|v| v.value.as_ref().map(|v| v.trim().to_owned())))
        .filter(|v| !v.is_empty())
        .collect()
}

/// samael's refusals as our codes.
fn sp_error(e: SpError) -> ApiError {
    let code = match &e {
        SpError::FailedToValidateSignature | SpError::CryptoXmlError(_) | SpError::CryptoProviderError(_) => ErrorCode::SamlInvalidSignature,
        SpError::DestinationValidationError { .. }
        | SpError::AssertionRecipientMismatch { .. }
        | SpError::AssertionConditionAudienceRestrictionFailed { .. } => ErrorCode::SamlAudienceMismatch,
        SpError::AssertionExpired { .. }
        | SpError::ResponseExpired { .. }
        | SpError::AssertionConditionExpired { .. }
        | SpError::AssertionConditionExpiredBefore { .. }
        | SpError::AssertionSubjectConfirmationExpired { .. }
        | SpError::AssertionSubjectConfirmationExpiredBefore { .. } => ErrorCode::SamlExpired,
        SpError::AssertionInResponseToInvalid { .. } | SpError::ResponseInResponseToInvalid { .. } => ErrorCode::SamlUnknownRequest,
        _ => ErrorCode::SamlInvalidResponse,
    };
    tracing::info!(error = %e, code = code.as_str(), "SAML response refused");
    refused(code, e.to_string())
}
