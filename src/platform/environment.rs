//! The PEP 508 marker environment of a target, as pip inside the image would report it.
//!
//! `platform_release` and `platform_version` describe the running kernel, which a target does
//! not know: they are empty strings (a marker on them is evaluated as pip would with "").
//! PEP 508 has no libc marker, so glibc and musl targets of one Python and architecture share
//! their markers.

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

use super::{Arch, Implementation, Platform, Target};

/// `platform.machine()` on the target.
pub(super) fn platform_machine(platform: &Platform) -> &'static str {
    match *platform {
        Platform::Linux { arch, .. } => arch.linux_name(),
        Platform::MacOs { arch, .. } => arch.macos_name(),
        Platform::Windows { arch } => match arch {
            Arch::I686 => "x86",
            Arch::Aarch64 => "ARM64",
            _ => "AMD64",
        },
    }
}

pub(super) fn marker_env(target: &Target) -> MarkerEnvironment {
    let (major, minor) = target.python_version();
    let python_version = format!("{major}.{minor}");
    let full_version = target.python_full_version().to_string();
    let (sys_platform, platform_system, os_name) = match target.platform {
        Platform::Linux { .. } => ("linux", "Linux", "posix"),
        Platform::MacOs { .. } => ("darwin", "Darwin", "posix"),
        Platform::Windows { .. } => ("win32", "Windows", "nt"),
    };
    let (implementation_name, platform_python_implementation) = match target.implementation {
        Implementation::CPython => ("cpython", "CPython"),
    };
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name,
        implementation_version: &full_version,
        os_name,
        platform_machine: platform_machine(&target.platform),
        platform_python_implementation,
        platform_release: "",
        platform_system,
        platform_version: "",
        python_full_version: &full_version,
        python_version: &python_version,
        sys_platform,
    })
    .expect("numeric X.Y and X.Y.Z versions always parse")
}

/// The values of the marker variables a lock's selector markers are written with
/// (`python_version`, `sys_platform`, `platform_machine`), in that order.
pub const SELECTOR_VARIABLES: [&str; 3] = ["python_version", "sys_platform", "platform_machine"];

/// The target's values of [`SELECTOR_VARIABLES`].
pub fn selector_values(target: &Target) -> [String; 3] {
    let env = target.marker_env();
    [
        env.python_version().to_string(),
        env.sys_platform().to_string(),
        env.platform_machine().to_string(),
    ]
}

/// The targets grouped by their selector values (indices, in order of first appearance): the
/// targets of one group cannot be told apart by the markers a lock writes (glibc and musl of
/// one Python and architecture), so they always take the same pins.
pub fn marker_classes(targets: &[Target]) -> Vec<Vec<usize>> {
    let mut keys: Vec<[String; 3]> = Vec::new();
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let key = selector_values(t);
        match keys.iter().position(|k| *k == key) {
            Some(at) => classes[at].push(i),
            None => {
                keys.push(key);
                classes.push(vec![i]);
            }
        }
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::super::Target;
    use pep508_rs::{MarkerTree, Requirement};
    use std::str::FromStr;

    #[test]
    fn glibc_and_musl_of_one_python_and_machine_share_a_class() {
        let ts: Vec<Target> = [
            "cp312-manylinux_2_36_x86_64",
            "cp313-manylinux_2_36_x86_64",
            "cp312-musllinux_1_2_x86_64",
            "cp312-musllinux_1_2_aarch64",
        ]
        .iter()
        .map(|s| Target::parse(s).unwrap())
        .collect();
        assert_eq!(
            super::marker_classes(&ts),
            vec![vec![0, 2], vec![1], vec![3]]
        );
    }

    fn env(s: &str) -> pep508_rs::MarkerEnvironment {
        Target::parse(s).unwrap().marker_env()
    }

    fn holds(target: &str, marker: &str) -> bool {
        let tree = MarkerTree::from_str(marker).unwrap();
        tree.evaluate(&env(target), &[])
    }

    #[test]
    fn linux_environment() {
        let e = env("python:3.12-slim@linux/arm64");
        assert_eq!(e.python_version().to_string(), "3.12");
        assert_eq!(e.python_full_version().to_string(), "3.12.12");
        assert_eq!(e.implementation_version().to_string(), "3.12.12");
        assert_eq!(e.implementation_name(), "cpython");
        assert_eq!(e.platform_python_implementation(), "CPython");
        assert_eq!(e.sys_platform(), "linux");
        assert_eq!(e.platform_system(), "Linux");
        assert_eq!(e.os_name(), "posix");
        assert_eq!(e.platform_machine(), "aarch64");
        assert_eq!(e.platform_release(), "");
        assert_eq!(e.platform_version(), "");
    }

    #[test]
    fn machines_per_platform() {
        for (target, machine) in [
            ("cp312-manylinux_2_28_x86_64", "x86_64"),
            ("python:3.12@linux/arm/v7", "armv7l"),
            ("python:3.12@linux/386", "i686"),
            ("python:3.12@linux/ppc64le", "ppc64le"),
            ("python:3.12@linux/s390x", "s390x"),
            ("cp312-macosx_11_0_arm64", "arm64"),
            ("cp312-macosx_10_9_x86_64", "x86_64"),
            ("cp312-win_amd64", "AMD64"),
            ("cp312-win32", "x86"),
            ("cp312-win_arm64", "ARM64"),
        ] {
            assert_eq!(env(target).platform_machine(), machine, "{target}");
        }
    }

    #[test]
    fn windows_and_macos_environment() {
        let w = env("cp311-win_amd64");
        assert_eq!(
            (w.sys_platform(), w.platform_system(), w.os_name()),
            ("win32", "Windows", "nt")
        );
        let m = env("cp311-macosx_11_0_arm64");
        assert_eq!(
            (m.sys_platform(), m.platform_system(), m.os_name()),
            ("darwin", "Darwin", "posix")
        );
    }

    #[test]
    fn markers_evaluate_against_target() {
        assert!(holds("python:3.12-slim", "python_version >= '3.10'"));
        assert!(!holds("python:3.9-slim", "python_version >= '3.10'"));
        assert!(holds("python:3.12-alpine", "sys_platform == 'linux'"));
        assert!(!holds("cp312-win_amd64", "sys_platform == 'linux'"));
        assert!(holds(
            "cp312-win_amd64",
            "platform_system == 'Windows' and platform_machine == 'AMD64'"
        ));
        assert!(holds(
            "python:3.11@linux/arm64",
            "platform_machine == 'aarch64'"
        ));
        assert!(holds(
            "python:3.11.4-slim",
            "python_full_version < '3.11.5'"
        ));
        // Same markers for glibc and musl.
        assert_eq!(
            env("python:3.12-alpine").platform_machine(),
            env("python:3.12-slim").platform_machine()
        );
        let req =
            Requirement::<pep508_rs::VerbatimUrl>::from_str("pywin32; sys_platform == 'win32'")
                .unwrap();
        assert!(!req.evaluate_markers(&env("python:3.12-slim"), &[]));
        assert!(req.evaluate_markers(&env("cp312-win_amd64"), &[]));
    }
}
