//! The outside programs some tests need: the reference BagIt validator, schemathesis, openssl,
//! Chromium with chromedriver, an SMTP server and an S3-compatible server.
//!
//! `bash .ci/run` installs and starts them all and sets `CI=true`: there a missing program fails
//! its test, so CI never passes by skipping. Elsewhere (`cargo test` on a fresh machine) a test
//! whose program is missing stops at its first line and says on stderr what to install.

use std::io::Write;
use std::process::{Command, Stdio};

#[derive(Clone, Copy, Debug)]
pub enum Tool {
    /// PyPI `bagit`, in target/ci-venv or where `WRIT_BAGIT` says.
    Bagit,
    /// PyPI `schemathesis`, in target/ci-venv or where `WRIT_SCHEMATHESIS` says.
    Schemathesis,
    Openssl,
    /// Debian's `chromium` and `chromium-driver`.
    Chromium,
    /// Debian's `python3-aiosmtpd`, the real SMTP server of the mail tests.
    Smtp,
    /// The S3-compatible server `WRIT_TEST_S3_ENDPOINT` names.
    S3,
}

impl Tool {
    fn present(self) -> bool {
        match self {
            Tool::Bagit => super::ci_tool_path("WRIT_BAGIT", "bagit.py").exists(),
            Tool::Schemathesis => super::ci_tool_path("WRIT_SCHEMATHESIS", "schemathesis").exists(),
            Tool::Openssl => runs("openssl", &["version"]),
            Tool::Chromium => {
                runs("chromium", &["--version"]) && runs("chromedriver", &["--version"])
            }
            Tool::Smtp => runs("/usr/bin/python3", &["-c", "import aiosmtpd"]),
            Tool::S3 => std::env::var_os("WRIT_TEST_S3_ENDPOINT").is_some(),
        }
    }

    fn install(self) -> &'static str {
        match self {
            Tool::Bagit => "bagit (PyPI, in target/ci-venv)",
            Tool::Schemathesis => "schemathesis (PyPI, in target/ci-venv)",
            Tool::Openssl => "openssl (Debian openssl)",
            Tool::Chromium => "Chromium and chromedriver (Debian chromium, chromium-driver)",
            Tool::Smtp => "an SMTP server (Debian python3-aiosmtpd)",
            Tool::S3 => {
                "an S3-compatible server named by WRIT_TEST_S3_ENDPOINT (PyPI moto[server])"
            }
        }
    }
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether the test can go on: every tool is there. A missing one fails the test in CI and
/// skips it elsewhere, with a line on stderr (written past the test harness's capture).
#[must_use]
pub fn present(tools: &[Tool]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|tool| !tool.present())
        .map(|tool| tool.install())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_owned();
    let what = missing.join("; ");
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{test} needs {what}: `bash .ci/run` installs it");
    }
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: it needs {what}; `bash .ci/run` installs it"
    );
    false
}

/// Ends the test here unless every named tool is there: `needs!(Bagit, Openssl);`.
#[allow(unused_macros)] // the benchmarks share the harness but not this
macro_rules! needs {
    ($($tool:ident),+ $(,)?) => {
        if !$crate::common::tools::present(&[$($crate::common::tools::Tool::$tool),+]) {
            return;
        }
    };
}
#[allow(unused_imports)]
pub(crate) use needs;
