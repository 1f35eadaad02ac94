//! One camelCase export per core operation. Each is `call` with the name filled in: the list
//! below must name every entry of `orgkit_core::ops::OPERATIONS` (a node test checks it).

use crate::convert::{parse_js, to_json};
use crate::error::{self, JsResult};
use wasm_bindgen::prelude::*;

/// Runs a core operation on a JS input and converts the answer back.
pub fn run(op: &str, input: &JsValue) -> JsResult {
    let input = to_json(input, "the input").map_err(error::to_js)?;
    let output = orgkit_core::ops::call_json(op, &input).map_err(error::to_js)?;
    parse_js(&output).map_err(error::to_js)
}

macro_rules! operations {
    ($( $rust:ident => $js:ident; )*) => {
        $(
            #[doc = concat!("Core operation `", stringify!($rust), "`: see `orgkit_core::ops`.")]
            #[wasm_bindgen(js_name = $js, skip_typescript)]
            pub fn $rust(input: JsValue) -> JsResult {
                run(stringify!($rust), &input)
            }
        )*

        /// The TypeScript declarations of the camelCase exports, typed by operation.
        #[wasm_bindgen(typescript_custom_section)]
        const OPERATION_EXPORTS_TS: &str = concat!($(
            "/** Core operation `", stringify!($rust), "`. Throws `OrgkitError`. */\n",
            "export function ", stringify!($js), "(input: OperationInput<\"", stringify!($rust),
            "\">): OperationOutput<\"", stringify!($rust), "\">;\n",
        )*);
    };
}

operations! {
    error_codes => errorCodes;
    validate_slug => validateSlug;
    normalize_slug => normalizeSlug;
    normalize_email => normalizeEmail;
    role_permissions => rolePermissions;
    authorize => authorize;
    can_grant => canGrant;
    can_change_role => canChangeRole;
    can_remove_member => canRemoveMember;
    resolve_settings => resolveSettings;
    apply_settings_patch => applySettingsPatch;
    apply_tenant_settings_patch => applyTenantSettingsPatch;
    parse_new_organization => parseNewOrganization;
    apply_organization_patch => applyOrganizationPatch;
    check_password => checkPassword;
    enforce_password => enforcePassword;
    lockout_check => lockoutCheck;
    lockout_after_failure => lockoutAfterFailure;
    account_lockout_policy => accountLockoutPolicy;
    decide_password_login => decidePasswordLogin;
    decide_step_up => decideStepUp;
    totp_enrolment => totpEnrolment;
    verify_totp => verifyTotp;
    route_email => routeEmail;
    check_connection_allowed => checkConnectionAllowed;
    check_session => checkSession;
    redirect_target => redirectTarget;
    role_from_groups => roleFromGroups;
    synced_role => syncedRole;
    admit_directory_user => admitDirectoryUser;
    check_portal_link => checkPortalLink;
    webhook_endpoint => webhookEndpoint;
    event_type_filter => eventTypeFilter;
    delivery_failure => deliveryFailure;
    jit_role => jitRole;
    parse_saml_connection => parseSamlConnection;
    parse_oidc_connection => parseOidcConnection;
    verify_id_token => verifyIdToken;
    id_token_email => idTokenEmail;
    custom_domain_of_host => customDomainOfHost;
    page_size => pageSize;
    client_address => clientAddress;
    rate_limits => rateLimits;
    explain_login => explainLogin;
    invitation_status => invitationStatus;
    check_invitation_acceptable => checkInvitationAcceptable;
    check_invitation_resendable => checkInvitationResendable;
    check_invitation_link => checkInvitationLink;
    acceptance_amr => acceptanceAmr;
    check_invitation_creatable => checkInvitationCreatable;
    issue_invitation => issueInvitation;
    verify_invitation => verifyInvitation;
    build_org_claims => buildOrgClaims;
    sign_org_claims => signOrgClaims;
    verify_org_token => verifyOrgToken;
    verify_profiled_token => verifyProfiledToken;
    check_token_not_revoked => checkTokenNotRevoked;
    should_fetch_jwks => shouldFetchJwks;
    parse_bearer => parseBearer;
    public_jwk => publicJwk;
    check_domain_claim => checkDomainClaim;
    domain_challenge => domainChallenge;
    decide_domain_verification => decideDomainVerification;
    check_custom_domain => checkCustomDomain;
    custom_domain_served => customDomainServed;
    decide_sso_login => decideSsoLogin;
    check_email_verification => checkEmailVerification;
}
