//! A posted SAML response from arbitrary XML, through the server's ACS path (base64 decode,
//! shape check, samael + xmlsec verification against a fixed test IdP certificate): never a
//! panic, and never an accepted assertion (nobody holds the test certificate's key here).
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use orgkit_server::saml::{SpUrls, decode_response, verify_response};
use orgkit_server::store::connections::ConnectionRow;
use std::sync::LazyLock;

static CONNECTION: LazyLock<ConnectionRow> = LazyLock::new(|| ConnectionRow {
    id: "conn_fuzz".to_owned(),
    tenant_id: "tenant_fuzz".to_owned(),
    kind: "saml".to_owned(),
    name: "Fuzz IdP".to_owned(),
    entity_id: "https://idp.test.orgkit.dev/metadata".to_owned(),
    sso_url: "https://idp.test.orgkit.dev/sso".to_owned(),
    certificate: include_str!("../keys/test-idp-cert.pem").to_owned(),
    email_domains: "[\"example.com\"]".to_owned(),
    created_at: 1_800_000_000,
    owner_org_id: Some("org_fuzz".to_owned()),
});
static URLS: LazyLock<SpUrls> =
    LazyLock::new(|| SpUrls::new("https://auth.test.orgkit.dev", "conn_fuzz"));

fuzz_target!(|data: &[u8]| {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let Ok((xml, shape)) = decode_response(&encoded) else {
        return;
    };
    let verified = verify_response(&CONNECTION, &URLS, &xml, &shape);
    assert!(verified.is_err(), "an assertion nobody signed was accepted");
});
