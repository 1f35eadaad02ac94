//! Settings and organization bodies from arbitrary JSON: never a panic; whatever parses is a
//! merge patch, so applying it twice equals applying it once, and a created org's body
//! round-trips through the patch parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orgkit_core::settings::{SettingsLayer, SettingsPatch, TenantSettingsPatch};
use orgkit_core::{NewOrganization, OrganizationPatch, organization::apply_metadata};
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let base = SettingsLayer {
        primary_color: Some("#123456".to_owned()),
        ..SettingsLayer::default()
    };
    if let Ok(patch) = SettingsPatch::from_json(&value) {
        let once = patch.apply(&base);
        assert_eq!(patch.apply(&once), once, "settings patches are idempotent");
    }
    if let Ok(patch) = TenantSettingsPatch::from_json(&value) {
        let once = patch.defaults.apply(&base);
        assert_eq!(
            patch.defaults.apply(&once),
            once,
            "tenant default patches are idempotent"
        );
    }
    if let Ok(patch) = OrganizationPatch::from_json(&value) {
        let current = Map::new();
        if let Ok(once) = apply_metadata(&current, patch.metadata.as_ref()) {
            let twice = apply_metadata(&once, patch.metadata.as_ref());
            assert_eq!(twice.ok(), Some(once), "metadata patches are idempotent");
        }
    }
    if let Ok(org) = NewOrganization::from_json(&value) {
        assert!(
            !org.name.is_empty() && !org.slug.is_empty(),
            "an org without name or slug parsed"
        );
        assert!(
            orgkit_core::validate_slug(&org.slug).is_ok(),
            "a created org's slug is valid"
        );
    }
});
