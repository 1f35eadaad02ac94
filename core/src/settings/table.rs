//! The setting fields, declared once.
//!
//! [`for_each_setting!`](crate::for_each_setting) hands the table to a generator macro, which
//! derives one thing from it: [`SettingsLayer`](super::SettingsLayer) in `mod.rs`,
//! [`SettingsPatch`](super::SettingsPatch) and its parser in `patch.rs`,
//! [`EffectiveSettings`](super::EffectiveSettings) and [`resolve`](super::resolve) in
//! `resolve.rs`, [`Floors`](super::Floors) in `floors.rs`, and the server's request body
//! schemas. Adding a setting is one row here (plus its validator in `fields.rs` if it needs a new
//! one) and a vector.

/// Calls `$generator! { rows }` with one row per setting:
///
/// ```text
/// /// doc
/// snake_name: Type = "camelName", value parser, resolution;
/// ```
///
/// - the value parser is an expression of `fields::value` (`fn(field, &Value) -> Result<Type>`),
///   which checks the JSON type and the field's own rule;
/// - the resolution says how the effective value is found: `optional()` (the org's override,
///   else the tenant's, else none), `inherited(default)` (… else the built-in default) or
///   `floored(default, Higher | Lower)` (… and then bounded by the tenant's floor, `Higher` or
///   `Lower` being the stricter direction).
///
/// Generators name what they read from a row and ignore the rest, so tokens of the table are
/// only compiled where a generator emits them.
#[macro_export]
macro_rules! for_each_setting {
    ($generator:ident) => {
        $generator! {
            /// Logo shown on the login page (https URL).
            logo_url: String = "logoUrl", value::https_url, optional();
            /// Brand colour, `#rrggbb` lowercase.
            primary_color: String = "primaryColor", value::color,
                inherited(DEFAULT_PRIMARY_COLOR.to_owned());
            /// Headline of the login page.
            welcome_text: String = "welcomeText", value::text, optional();
            /// Hostname that serves this org's login page.
            custom_domain: String = "customDomain", value::domain, optional();
            /// Minimum password length in characters.
            password_min_length: u32 = "passwordMinLength", value::within(&PASSWORD_MIN_LENGTH_RANGE),
                floored(DEFAULT_PASSWORD_MIN_LENGTH, Higher);
            /// Whether logins must perform a second factor.
            require_mfa: bool = "requireMfa", value::flag, floored(false, Higher);
            /// Lifetime of an access token issued in this org context, in hours.
            session_ttl_hours: u32 = "sessionTtlHours", value::within(&SESSION_TTL_HOURS_RANGE),
                floored(DEFAULT_SESSION_TTL_HOURS, Lower);
            /// Consecutive failed logins before the account is locked.
            max_login_attempts: u32 = "maxLoginAttempts", value::within(&MAX_LOGIN_ATTEMPTS_RANGE),
                floored(DEFAULT_MAX_LOGIN_ATTEMPTS, Lower);
            /// How long a lockout lasts, in minutes.
            lockout_duration_minutes: u32 = "lockoutDurationMinutes",
                value::within(&LOCKOUT_DURATION_MINUTES_RANGE),
                floored(DEFAULT_LOCKOUT_DURATION_MINUTES, Higher);
            /// The connection proposed first at login; must be one of the org's connections.
            default_connection_id: String = "defaultConnectionId", value::connection_id, optional();
            /// IdP group display name → org role, applied at SCIM pushes and SSO logins (highest
            /// mapped role wins; changing it needs `scim:manage`).
            group_role_mappings: $crate::directory::GroupRoleMappings = "groupRoleMappings",
                value::group_role_mappings, optional();
        }
    };
}
