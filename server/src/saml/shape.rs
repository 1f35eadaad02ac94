//! The shape a SAML response must have before its signature is even checked.
//!
//! Signature-wrapping attacks move or duplicate signed content so that the verifier and the
//! reader see different elements. Here the document may contain exactly one `Response` root
//! with exactly one `Assertion` child, signatures only as children of those two, only exclusive
//! C14N and the enveloped-signature transform, and no DTD; anything else is refused.

use crate::error::{ApiError, ApiResult};
use orgkit_core::ErrorCode;
use quick_xml::events::{BytesStart, Event};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// What the unverified document says; trusted only as far as the signature check confirms.
#[derive(Debug, Clone, Default)]
pub struct ResponseShape {
    /// The response's `ID`.
    pub response_id: String,
    /// The one assertion's `ID`.
    pub assertion_id: String,
    /// The response's `InResponseTo`.
    pub response_in_response_to: Option<String>,
    /// Whether the response itself carries a signature (else only the assertion does).
    pub response_signed: bool,
}

fn wrapped(message: &str) -> ApiError {
    ApiError::new(ErrorCode::SamlInvalidSignature, message)
}

fn malformed(message: &str) -> ApiError {
    ApiError::new(ErrorCode::SamlInvalidResponse, message)
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> ApiResult<Option<String>> {
    for attr in e.attributes() {
        let attr = attr.map_err(|_| malformed("malformed XML attribute"))?;
        if attr.key.local_name().as_ref() == name {
            return Ok(Some(attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|_| malformed("malformed XML attribute"))?.into_owned()));
        }
    }
    Ok(None)
}

/// Reads the document once and checks its shape.
pub fn inspect(xml: &str) -> ApiResult<ResponseShape> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut shape = ResponseShape::default();
    let (mut roots, mut assertions, mut signatures) = (0, 0, 0);
    loop {
        let event = reader.read_event().map_err(|_| malformed("SAMLResponse is not well-formed XML"))?;
        let (e, empty) = match event {
            Event::Eof => break,
            Event::DocType(_) => return Err(malformed("a document type declaration is not allowed")),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            _ => continue,
        };
        let name = e.local_name().as_ref().to_vec();
        let parent = stack.last().map(Vec::as_slice);
        match (name.as_slice(), stack.len()) {
            (b"Response", 0) => {
                roots += 1;
                shape.response_id = attribute(&e, b"ID")?.unwrap_or_default();
                shape.response_in_response_to = attribute(&e, b"InResponseTo")?;
            }
            (_, 0) => return Err(malformed("the document is not a SAML Response")),
            (b"Response", _) => return Err(wrapped("a nested Response is not allowed")),
            (b"Assertion", 1) => {
                assertions += 1;
                shape.assertion_id = attribute(&e, b"ID")?.unwrap_or_default();
            }
            (b"Assertion", _) => return Err(wrapped("an Assertion outside the Response's children is not allowed")),
            (b"EncryptedAssertion", _) => return Err(malformed("encrypted assertions are not supported")),
            (b"Signature", _) => {
                match parent {
                    Some(b"Response") => shape.response_signed = true,
                    Some(b"Assertion") => {}
                    _ => return Err(wrapped("a Signature outside the Response or Assertion is not allowed")),
                }
                signatures += 1;
            }
            (b"CanonicalizationMethod" | b"Transform", _) => {
                let algorithm = attribute(&e, b"Algorithm")?;
                let allowed = match name.as_slice() {
                    b"Transform" => matches!(algorithm.as_deref(), Some(EXC_C14N | ENVELOPED)),
                    _ => algorithm.as_deref() == Some(EXC_C14N),
                };
                if !allowed {
                    return Err(wrapped("only exclusive XML canonicalization and the enveloped-signature transform are accepted"));
                }
            }
            _ => {}
        }
        if !empty {
            stack.push(name);
        }
    }
    if roots != 1 {
        return Err(malformed("the document is not one SAML Response"));
    }
    if assertions != 1 || shape.assertion_id.is_empty() {
        return Err(wrapped("a response must carry exactly one assertion"));
    }
    if signatures == 0 {
        return Err(wrapped("the response is not signed"));
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:Reference URI="#a1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms></ds:Reference></ds:SignedInfo></ds:Signature>"##;

    fn response(inner: &str) -> String {
        format!(r#"<?xml version="1.0"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r1" InResponseTo="q1">{inner}</samlp:Response>"#)
    }

    fn code(xml: &str) -> &'static str {
        inspect(xml).map(|_| "ok").unwrap_or_else(|e| e.code().as_str())
    }

    #[test]
    fn one_signed_assertion_passes() {
        let xml = response(&format!(r#"<saml:Assertion ID="a1">{SIG}<saml:Subject/></saml:Assertion>"#));
        let shape = inspect(&xml).unwrap();
        assert_eq!((shape.response_id.as_str(), shape.assertion_id.as_str()), ("r1", "a1"));
        assert_eq!(shape.response_in_response_to.as_deref(), Some("q1"));
        assert!(!shape.response_signed);
        let xml = response(&format!(r#"{SIG}<saml:Assertion ID="a1"/>"#));
        assert!(inspect(&xml).unwrap().response_signed);
    }

    #[test]
    fn wrapping_shapes_are_refused() {
        let signed = format!(r#"<saml:Assertion ID="a1">{SIG}</saml:Assertion>"#);
        assert_eq!(code(&response(&format!(r#"<saml:Assertion ID="evil"/>{signed}"#))), "saml_invalid_signature");
        let hidden = format!(r#"<samlp:Extensions>{signed}</samlp:Extensions><saml:Assertion ID="evil"/>"#);
        assert_eq!(code(&response(&hidden)), "saml_invalid_signature");
        let nested = format!(r#"<saml:Assertion ID="evil"><saml:Advice>{signed}</saml:Advice></saml:Assertion>"#);
        assert_eq!(code(&response(&nested)), "saml_invalid_signature");
        assert_eq!(code(&response(r#"<saml:Assertion ID="a1"/>"#)), "saml_invalid_signature");
        let inclusive = SIG.replace("xml-exc-c14n#\"/></ds:Transforms>", "REC-xml-c14n-20010315\"/></ds:Transforms>");
        assert_eq!(code(&response(&format!(r#"<saml:Assertion ID="a1">{inclusive}</saml:Assertion>"#))), "saml_invalid_signature");
    }

    #[test]
    fn non_responses_are_malformed() {
        assert_eq!(code("<x/>"), "saml_invalid_response");
        assert_eq!(code("not xml <"), "saml_invalid_response");
        let dtd = format!(r#"<!DOCTYPE r [<!ENTITY e "x">]>{}"#, response(""));
        assert_eq!(code(&dtd), "saml_invalid_response");
        assert_eq!(code(&response(r#"<saml:EncryptedAssertion/>"#)), "saml_invalid_response");
    }
}
