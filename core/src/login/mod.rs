//! Login policy: password rules, lockout, connections and email-domain routing, the
//! password-login decision, the one "explain login" answer every host shows, and the SSO
//! login decisions (redirect target, just-in-time role, which account an assertion signs in).

mod connections;
mod decide;
mod explain;
mod identity;
mod lockout;
mod password;
mod sso;
mod step_up;
mod totp;

pub use connections::{Connection, check_connection_allowed, default_connection, route_email};
pub use decide::{
    LoginDecision, MfaFacts, NamedOrg, PASSWORD_AMR, PasswordLoginFacts, acceptance_amr,
    decide_password_login, new_account_amr,
};
pub use explain::{
    LoginMethod, LoginPlan, LoginQuery, OrgLoginFacts, UserLoginFacts, explain_login,
};
pub use identity::{SsoAccountFacts, SsoLoginFacts, SsoLoginPlan, decide_sso_login};
pub use lockout::{LockoutPolicy, LockoutState};
pub use password::{
    PASSWORD_MAX_CHARS, PasswordRules, PasswordViolation, check_password, enforce_password,
};
pub use sso::{REDIRECT_TARGET_MAX_LEN, check_redirect_target, jit_role, redirect_target};
pub use step_up::{StepUpFacts, decide_step_up};
pub use totp::{
    TOTP_DIGITS, TOTP_SECRET_MIN_BYTES, TOTP_SKEW_STEPS, TOTP_STEP_SECONDS, TotpEnrolment,
    totp_code, totp_enrolment, totp_secret_base32, verify_totp,
};
