//! Access-token verification on arbitrary input, through `parse_bearer` and
//! `verify_org_token`: never a panic, and nothing verifies unless we signed its header and
//! payload (seed corpus: the token vectors, valid and hostile).
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgkit_core::token::{Requirement, parse_bearer, verify_org_token};
use std::sync::LazyLock;

static KEYS: LazyLock<orgkit_core::token::KeySet> = LazyLock::new(orgkit_fuzz::test_keys);
static KNOWN: LazyLock<std::collections::BTreeSet<String>> = LazyLock::new(|| {
    let mut known = orgkit_fuzz::signed_parts(include_str!("../../tests/vectors/tokens.json"));
    known.extend(orgkit_fuzz::signed_parts(include_str!(
        "../../tests/vectors/profiles.json"
    )));
    known
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let token = parse_bearer(text).unwrap_or(text);
    let opts = orgkit_fuzz::test_options();
    if verify_org_token(token, &KEYS, &opts, &Requirement::default()).is_ok() {
        orgkit_fuzz::assert_known(token, &KNOWN);
    }
});
