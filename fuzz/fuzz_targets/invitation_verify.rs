//! Invitation-token verification on arbitrary input: never a panic, nothing verifies unless we
//! signed it, and an access token never passes as an invitation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgkit_core::token::verify_invitation;
use std::sync::LazyLock;

static KEYS: LazyLock<orgkit_core::token::KeySet> = LazyLock::new(orgkit_fuzz::test_keys);
static KNOWN: LazyLock<std::collections::BTreeSet<String>> = LazyLock::new(|| {
    orgkit_fuzz::signed_parts(include_str!("../../tests/vectors/invitations.json"))
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line, if any, is the email the invitation must name; the rest is the token.
    let (email, token) = match text.split_once('\n') {
        Some((email, token)) => (Some(email), token),
        None => (None, text),
    };
    let opts = orgkit_fuzz::test_options();
    if let Ok(claims) = verify_invitation(token, &KEYS, &opts, email) {
        orgkit_fuzz::assert_known(token, &KNOWN);
        assert!(
            !claims.inv.is_empty(),
            "an invitation without its id verified"
        );
    }
});
