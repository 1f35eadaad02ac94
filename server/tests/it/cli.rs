//! The `orgkit-server` binary: its configuration reference and its start-up errors.

use std::time::Duration;
use tokio::process::Command;

/// Every `ORGKIT_*` variable the server reads.
const VARIABLES: &[&str] = &[
    "ORGKIT_DATABASE_URL",
    "ORGKIT_BIND",
    "ORGKIT_PUBLIC_URL",
    "ORGKIT_ISSUER",
    "ORGKIT_AUDIENCE",
    "ORGKIT_SMTP_URL",
    "ORGKIT_OUTBOX_DIR",
    "ORGKIT_EMAIL_FROM",
    "ORGKIT_MAX_BODY_BYTES",
    "ORGKIT_RATE_LIMIT",
    "ORGKIT_TRUSTED_PROXIES",
    "ORGKIT_DNS_RESOLVER",
    "ORGKIT_LOG_FORMAT",
    "ORGKIT_METRICS_BIND",
];

/// What a finished run of the binary said.
pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `orgkit-server ARGS` with `env` on top of a cleaned environment, for at most 60 s.
pub async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orgkit-server"));
    cmd.args(args).kill_on_drop(true);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("ORGKIT_")) {
        cmd.env_remove(name);
    }
    let dir = tempfile::tempdir().unwrap();
    cmd.current_dir(dir.path()).envs(env.iter().copied());
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output()).await.expect("orgkit-server ends within 60 s").unwrap();
    Run {
        success: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn serve_help_lists_every_variable() {
    let help = run(&["serve", "--help"], &[]).await;
    assert!(help.success, "{}", help.stderr);
    for name in VARIABLES {
        assert!(help.stdout.contains(&format!("[env: {name}")), "serve --help lacks {name}:\n{}", help.stdout);
    }
}

#[tokio::test]
async fn an_unreachable_database_names_the_variable_and_fails() {
    for url in ["postgres://orgkit@127.0.0.1:9/orgkit", "sqlite:///nonexistent-directory/orgkit.db"] {
        let out = run(&["serve"], &[("ORGKIT_DATABASE_URL", url), ("ORGKIT_BIND", "127.0.0.1:0")]).await;
        assert!(!out.success && out.code.is_some_and(|c| c != 0), "exit {:?}", out.code);
        assert!(out.stderr.contains("ORGKIT_DATABASE_URL: cannot connect"), "{url}: {}", out.stderr);
        assert!(!out.stderr.contains("internal error"), "{}", out.stderr);
    }
}

#[tokio::test]
async fn a_bad_value_names_the_variable_and_fails() {
    for (name, value) in [("ORGKIT_RATE_LIMIT", "sometimes"), ("ORGKIT_TRUSTED_PROXIES", "10.0.0.0/33"), ("ORGKIT_DATABASE_URL", "mysql://x")] {
        let out = run(&["migrate"], &[(name, value)]).await;
        assert!(!out.success, "{name}={value} was accepted");
        assert!(out.stderr.contains(name), "{name}: {}", out.stderr);
    }
}
