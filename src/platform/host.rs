//! The host as a target: ask the `python3` on PATH for its version, free-threading, OS and
//! machine, and this system's libc (glibc via `confstr`, as packaging does; musl from the
//! banner of its dynamic loader). Running the programs is the only IO; reading their output
//! into a [`Target`] is the pure [`HostReport`].

use std::process::Command;

use super::{
    Arch, HostProblem, Implementation, Libc, Platform, PythonVersion, Target, TargetError,
};

/// What the interpreter prints, one `key=value` per line.
const PROBE: &str = r#"
import os, platform, sys, sysconfig
v = sys.version_info
print("implementation=" + sys.implementation.name)
print("version=%d.%d.%d" % (v[0], v[1], v[2]))
print("free_threaded=%d" % int(bool(sysconfig.get_config_var("Py_GIL_DISABLED"))))
print("sys_platform=" + sys.platform)
print("machine=" + platform.machine())
print("is_64bit=%d" % int(sys.maxsize > 2**32))
try:
    print("glibc=" + (os.confstr("CS_GNU_LIBC_VERSION") or ""))
except (AttributeError, OSError, ValueError):
    print("glibc=")
print("mac_version=" + platform.mac_ver()[0])
print("executable=" + sys.executable)
"#;

/// The facts about the host that decide its target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostReport {
    /// `sys.implementation.name`
    pub implementation: String,
    /// `sys.version_info[:3]`
    pub version: (u32, u32, u32),
    pub free_threaded: bool,
    /// `sys.platform`
    pub sys_platform: String,
    /// `platform.machine()`
    pub machine: String,
    /// A 64-bit interpreter (a 32-bit one on a 64-bit kernel is an i686/armv7l target).
    pub is_64bit: bool,
    /// glibc `major.minor`, from `os.confstr("CS_GNU_LIBC_VERSION")`.
    pub glibc: Option<(u32, u32)>,
    /// musl `major.minor`, from the dynamic loader's banner.
    pub musl: Option<(u32, u32)>,
    /// macOS `major.minor`, from `platform.mac_ver()`.
    pub mac_version: Option<(u32, u32)>,
    /// `sys.executable`: the interpreter itself, past shims and wrappers on PATH.
    pub executable: String,
}

fn unsupported(problem: HostProblem) -> TargetError {
    TargetError::UnsupportedHost(problem)
}

/// `2.36`, `1.2.4`, `14.5` → `(major, minor)`.
fn major_minor(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// The musl version from `ld-musl-*.so.1`'s or musl `ldd`'s banner (`Version 1.2.4`).
pub fn parse_musl_banner(text: &str) -> Option<(u32, u32)> {
    if !text.to_ascii_lowercase().contains("musl") {
        return None;
    }
    text.lines()
        .find_map(|line| line.trim().strip_prefix("Version "))
        .and_then(major_minor)
}

impl HostReport {
    /// Read the probe's `key=value` output (musl is filled in separately).
    pub fn parse(output: &str) -> Result<HostReport, TargetError> {
        let mut report = HostReport::default();
        let mut saw_version = false;
        for line in output.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "implementation" => report.implementation = value.to_string(),
                "version" => {
                    let nums: Vec<u32> = value.split('.').filter_map(|p| p.parse().ok()).collect();
                    if let [major, minor, patch] = nums[..] {
                        report.version = (major, minor, patch);
                        saw_version = true;
                    }
                }
                "free_threaded" => report.free_threaded = value == "1",
                "sys_platform" => report.sys_platform = value.to_string(),
                "machine" => report.machine = value.to_string(),
                "is_64bit" => report.is_64bit = value == "1",
                "glibc" => report.glibc = value.strip_prefix("glibc ").and_then(major_minor),
                "mac_version" if !value.is_empty() => report.mac_version = major_minor(value),
                "executable" => report.executable = value.to_string(),
                _ => {}
            }
        }
        if !saw_version {
            return Err(unsupported(HostProblem::NoVersion(output.to_string())));
        }
        Ok(report)
    }

    /// The target this host is.
    pub fn to_target(&self) -> Result<Target, TargetError> {
        if self.implementation != "cpython" {
            return Err(unsupported(HostProblem::NotCPython(
                self.implementation.clone(),
            )));
        }
        let (major, minor, patch) = self.version;
        if major != 3 {
            return Err(unsupported(HostProblem::NotPython3 { major, minor }));
        }
        let machine = self.machine.to_ascii_lowercase();
        let platform = if self.sys_platform.starts_with("linux") {
            let arch = match (machine.as_str(), self.is_64bit) {
                ("x86_64" | "amd64", true) => Arch::X86_64,
                ("x86_64" | "amd64" | "i686" | "i586" | "i386", _) => Arch::I686,
                ("aarch64" | "arm64", true) => Arch::Aarch64,
                ("aarch64" | "arm64" | "armv8l" | "armv7l", false) => Arch::Armv7l,
                ("ppc64le", _) => Arch::Ppc64le,
                ("s390x", _) => Arch::S390x,
                (other, _) => {
                    return Err(unsupported(HostProblem::LinuxMachine(other.to_string())));
                }
            };
            let libc = match (self.glibc, self.musl) {
                (Some((major, minor)), _) => Libc::Glibc { major, minor },
                (None, Some((major, minor))) => Libc::Musl { major, minor },
                (None, None) => return Err(unsupported(HostProblem::NoLibc)),
            };
            Platform::Linux { libc, arch }
        } else if self.sys_platform == "darwin" {
            let arch = match machine.as_str() {
                "arm64" => Arch::Aarch64,
                "x86_64" => Arch::X86_64,
                other => return Err(unsupported(HostProblem::MacosMachine(other.to_string()))),
            };
            let (major, minor) = self
                .mac_version
                .ok_or_else(|| unsupported(HostProblem::NoMacosVersion))?;
            // From 11 on, pip only looks at the major version.
            let minor = if major >= 11 { 0 } else { minor };
            Platform::MacOs { major, minor, arch }
        } else if self.sys_platform == "win32" {
            let arch = match (machine.as_str(), self.is_64bit) {
                ("arm64", true) => Arch::Aarch64,
                ("amd64" | "x86_64", true) => Arch::X86_64,
                (_, false) => Arch::I686,
                (other, true) => {
                    return Err(unsupported(HostProblem::WindowsMachine(other.to_string())))
                }
            };
            Platform::Windows { arch }
        } else {
            return Err(unsupported(HostProblem::Os(self.sys_platform.clone())));
        };
        Ok(Target {
            implementation: Implementation::CPython,
            python: PythonVersion {
                major,
                minor,
                patch: Some(patch),
                free_threaded: self.free_threaded && minor >= 13,
            },
            platform,
        })
    }
}

/// Run `program` (normally `python3`) and, on a Linux without glibc, the musl loader.
pub(super) fn detect(program: &str) -> Result<Target, TargetError> {
    report(program)?.to_target()
}

/// What `program` reports of itself and of this machine (the musl version included).
pub(super) fn report(program: &str) -> Result<HostReport, TargetError> {
    let output = Command::new(program)
        .args(["-I", "-c", PROBE])
        .output()
        .map_err(|source| TargetError::HostPythonNotRunnable {
            program: program.to_string(),
            source,
        })?;
    if !output.status.success() {
        return Err(TargetError::HostPythonFailed {
            program: program.to_string(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    let mut report = HostReport::parse(&String::from_utf8_lossy(&output.stdout))?;
    if report.sys_platform.starts_with("linux") && report.glibc.is_none() {
        report.musl = detect_musl();
    }
    Ok(report)
}

/// musl's loader (`/lib/ld-musl-ARCH.so.1`) and musl's `ldd` print `Version X.Y.Z` on stderr.
fn detect_musl() -> Option<(u32, u32)> {
    let banner = |cmd: &mut Command| -> Option<(u32, u32)> {
        let out = cmd.output().ok()?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        parse_musl_banner(&text)
    };
    let loaders = std::fs::read_dir("/lib")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            (name.starts_with("ld-musl-") && name.ends_with(".so.1")).then_some(path)
        });
    for loader in loaders {
        if let Some(version) = banner(&mut Command::new(loader)) {
            return Some(version);
        }
    }
    banner(Command::new("ldd").arg("--version"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLIBC_REPORT: &str = "implementation=cpython\nversion=3.12.4\nfree_threaded=0\n\
        sys_platform=linux\nmachine=x86_64\nis_64bit=1\nglibc=glibc 2.36\nmac_version=\n\
        executable=/usr/bin/python3.12\n";

    #[test]
    fn glibc_host() {
        let report = HostReport::parse(GLIBC_REPORT).unwrap();
        assert_eq!(report.glibc, Some((2, 36)));
        assert_eq!(report.executable, "/usr/bin/python3.12");
        let target = report.to_target().unwrap();
        assert_eq!(target.canonical(), "cp312-manylinux_2_36_x86_64");
        assert_eq!(target.python_full_version().to_string(), "3.12.4");
    }

    #[test]
    fn musl_host_from_loader_banner() {
        let banner = "musl libc (aarch64)\nVersion 1.2.5\nDynamic Program Loader\nUsage: ...";
        assert_eq!(parse_musl_banner(banner), Some((1, 2)));
        assert_eq!(parse_musl_banner("ldd (GNU libc) 2.36"), None);
        let mut report = HostReport::parse(
            "implementation=cpython\nversion=3.13.1\nfree_threaded=1\nsys_platform=linux\n\
             machine=aarch64\nis_64bit=1\nglibc=\nmac_version=\n",
        )
        .unwrap();
        assert_eq!(report.glibc, None);
        assert!(report.to_target().is_err());
        report.musl = parse_musl_banner(banner);
        assert_eq!(
            report.to_target().unwrap().canonical(),
            "cp313t-musllinux_1_2_aarch64"
        );
    }

    #[test]
    fn thirty_two_bit_interpreters() {
        let report = HostReport {
            is_64bit: false,
            ..HostReport::parse(GLIBC_REPORT).unwrap()
        };
        assert_eq!(
            report.to_target().unwrap().canonical(),
            "cp312-manylinux_2_36_i686"
        );
        let win = HostReport {
            sys_platform: "win32".into(),
            machine: "AMD64".into(),
            glibc: None,
            ..HostReport::parse(GLIBC_REPORT).unwrap()
        };
        assert_eq!(win.to_target().unwrap().canonical(), "cp312-win_amd64");
        let win32 = HostReport {
            is_64bit: false,
            ..win.clone()
        };
        assert_eq!(win32.to_target().unwrap().canonical(), "cp312-win32");
    }

    #[test]
    fn macos_host_drops_minor_from_11() {
        let report = HostReport::parse(
            "implementation=cpython\nversion=3.11.9\nfree_threaded=0\nsys_platform=darwin\n\
             machine=arm64\nis_64bit=1\nglibc=\nmac_version=14.5\n",
        )
        .unwrap();
        assert_eq!(
            report.to_target().unwrap().canonical(),
            "cp311-macosx_14_0_arm64"
        );
        let old = HostReport {
            machine: "x86_64".into(),
            mac_version: Some((10, 15)),
            ..report
        };
        assert_eq!(
            old.to_target().unwrap().canonical(),
            "cp311-macosx_10_15_x86_64"
        );
    }

    #[test]
    fn unsupported_hosts_say_why() {
        let pypy = HostReport {
            implementation: "pypy".into(),
            ..HostReport::parse(GLIBC_REPORT).unwrap()
        };
        assert!(pypy.to_target().unwrap_err().to_string().contains("pypy"));
        let bsd = HostReport {
            sys_platform: "freebsd14".into(),
            ..HostReport::parse(GLIBC_REPORT).unwrap()
        };
        assert!(bsd
            .to_target()
            .unwrap_err()
            .to_string()
            .contains("freebsd14"));
        assert!(HostReport::parse("garbage").is_err());
    }

    #[test]
    fn missing_program_is_reported() {
        let err = detect("pinwheel-no-such-python-3").unwrap_err();
        assert!(matches!(err, TargetError::HostPythonNotRunnable { .. }));
        assert!(err.to_string().contains("pinwheel-no-such-python-3"));
    }
}
