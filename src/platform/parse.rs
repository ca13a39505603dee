//! Reading a target spelling: `cpXY[t]-{PEP 425 platform tag}` here, Docker images in
//! `images`. The platform tag names the newest tag the target supports (PEP 600 manylinux,
//! PEP 656 musllinux, macOS, Windows); legacy manylinux1/2010/2014 map to glibc 2.5/2.12/2.17.

use super::{images, Arch, Libc, Platform, PythonVersion, TagProblem, Target, TargetError};

/// Dispatch on the spelling: tags start with `cp`, everything else is an image.
pub(super) fn parse_target(input: &str) -> Result<Target, TargetError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TargetError::Unrecognized {
            input: input.to_string(),
        });
    }
    let lower = trimmed.to_ascii_lowercase();
    let before_at = lower.split('@').next().unwrap_or_default();
    if lower.starts_with("cp") && !before_at.contains(':') && !before_at.contains('/') {
        if lower.contains('@') {
            return Err(malformed(input, TagProblem::PlatformAfterTag));
        }
        parse_tag_spelling(input, &lower)
    } else if lower.starts_with("python")
        || lower.contains(':')
        || lower.contains('/')
        || lower.contains('@')
    {
        images::parse_image(input, &lower)
    } else {
        Err(TargetError::Unrecognized {
            input: input.to_string(),
        })
    }
}

fn malformed(input: &str, problem: TagProblem) -> TargetError {
    TargetError::MalformedTag {
        input: input.to_string(),
        problem,
    }
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
        return None;
    }
    s.parse().ok()
}

/// `cp312-manylinux_2_28_x86_64` (already lowercased in `lower`).
fn parse_tag_spelling(input: &str, lower: &str) -> Result<Target, TargetError> {
    let (interp, platform) = lower
        .split_once('-')
        .ok_or_else(|| malformed(input, TagProblem::NoPlatform))?;
    let python = parse_interpreter(input, interp)?;
    let platform = parse_platform_tag(input, platform)?;
    Ok(Target {
        implementation: super::Implementation::CPython,
        python,
        platform,
    })
}

/// `cp312`, `cp313t`, `cp39`.
fn parse_interpreter(input: &str, interp: &str) -> Result<PythonVersion, TargetError> {
    let digits = interp.strip_prefix("cp").unwrap_or(interp);
    let (digits, free_threaded) = match digits.strip_suffix('t') {
        Some(d) => (d, true),
        None => (digits, false),
    };
    let bad = || {
        malformed(
            input,
            TagProblem::Interpreter {
                interpreter: interp.to_string(),
            },
        )
    };
    let minor = digits.strip_prefix('3').ok_or_else(bad)?;
    let minor = number(minor).ok_or_else(bad)?;
    if free_threaded && minor < 13 {
        return Err(malformed(
            input,
            TagProblem::FreeThreadedBefore313 { minor },
        ));
    }
    Ok(PythonVersion {
        major: 3,
        minor,
        patch: None,
        free_threaded,
    })
}

/// Split `N_M_rest` into two numbers and the rest.
fn two_numbers(s: &str) -> Option<(u32, u32, &str)> {
    let mut parts = s.splitn(3, '_');
    let a = number(parts.next()?)?;
    let b = number(parts.next()?)?;
    let rest = parts.next()?;
    Some((a, b, rest))
}

/// The largest version part a platform tag may carry (glibc 2.N, musl 1.N, macOS N.M): far past
/// any release (glibc 2.42, musl 1.2 and macOS 26 in 2025), and small enough that the tags a
/// target accepts (every older release, as pip lists them) stay a short list.
pub const MAX_PLATFORM_VERSION_PART: u32 = 99;

/// `what` (`glibc 2.N`) refused when `part` passes [`MAX_PLATFORM_VERSION_PART`].
fn plausible(input: &str, what: impl FnOnce() -> String, part: u32) -> Result<(), TargetError> {
    if part > MAX_PLATFORM_VERSION_PART {
        return Err(malformed(
            input,
            TagProblem::PastAnyRelease {
                what: what(),
                max: MAX_PLATFORM_VERSION_PART,
            },
        ));
    }
    Ok(())
}

fn linux_arch(input: &str, arch: &str) -> Result<Arch, TargetError> {
    Arch::from_linux_name(arch).ok_or_else(|| {
        malformed(
            input,
            TagProblem::LinuxArch {
                arch: arch.to_string(),
            },
        )
    })
}

fn parse_platform_tag(input: &str, tag: &str) -> Result<Platform, TargetError> {
    if let Some(rest) = tag.strip_prefix("manylinux_") {
        let (major, minor, arch) = two_numbers(rest).ok_or_else(|| {
            malformed(
                input,
                TagProblem::Manylinux {
                    tag: tag.to_string(),
                },
            )
        })?;
        if major != 2 {
            return Err(malformed(input, TagProblem::NotGlibc2 { major, minor }));
        }
        plausible(input, || format!("glibc {major}.{minor}"), minor)?;
        let arch = linux_arch(input, arch)?;
        return Ok(Platform::Linux {
            libc: Libc::Glibc { major, minor },
            arch,
        });
    }
    for (legacy, minor) in [
        ("manylinux2014_", 17),
        ("manylinux2010_", 12),
        ("manylinux1_", 5),
    ] {
        if let Some(arch) = tag.strip_prefix(legacy) {
            let arch = linux_arch(input, arch)?;
            return Ok(Platform::Linux {
                libc: Libc::Glibc { major: 2, minor },
                arch,
            });
        }
    }
    if let Some(rest) = tag.strip_prefix("musllinux_") {
        let (major, minor, arch) = two_numbers(rest).ok_or_else(|| {
            malformed(
                input,
                TagProblem::Musllinux {
                    tag: tag.to_string(),
                },
            )
        })?;
        if major != 1 {
            return Err(malformed(input, TagProblem::NotMusl1 { major, minor }));
        }
        plausible(input, || format!("musl {major}.{minor}"), minor)?;
        let arch = linux_arch(input, arch)?;
        return Ok(Platform::Linux {
            libc: Libc::Musl { major, minor },
            arch,
        });
    }
    if let Some(rest) = tag.strip_prefix("macosx_") {
        let (major, minor, arch) = two_numbers(rest).ok_or_else(|| {
            malformed(
                input,
                TagProblem::Macos {
                    tag: tag.to_string(),
                },
            )
        })?;
        let arch = match arch {
            "x86_64" => Arch::X86_64,
            "arm64" => Arch::Aarch64,
            other => {
                return Err(malformed(
                    input,
                    TagProblem::MacosArch {
                        arch: other.to_string(),
                    },
                ))
            }
        };
        if major < 10 || (arch == Arch::Aarch64 && major < 11) {
            return Err(malformed(
                input,
                TagProblem::MacosVersion {
                    major,
                    minor,
                    arch: arch.macos_name(),
                },
            ));
        }
        plausible(input, || format!("macOS {major}.{minor}"), major.max(minor))?;
        return Ok(Platform::MacOs { major, minor, arch });
    }
    let windows = match tag {
        "win_amd64" => Some(Arch::X86_64),
        "win32" => Some(Arch::I686),
        "win_arm64" => Some(Arch::Aarch64),
        _ => None,
    };
    if let Some(arch) = windows {
        return Ok(Platform::Windows { arch });
    }
    if tag.starts_with("linux_") {
        return Err(malformed(
            input,
            TagProblem::NotPortable {
                tag: tag.to_string(),
            },
        ));
    }
    Err(malformed(
        input,
        TagProblem::UnknownPlatform {
            tag: tag.to_string(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        parse_target(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        parse_target(s)
            .map(|t| panic!("{s} parsed as {t}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn tag_spellings() {
        let target = t("cp312-manylinux_2_28_x86_64");
        assert_eq!(target.python_version(), (3, 12));
        assert!(!target.python.free_threaded);
        assert_eq!(
            target.platform,
            Platform::Linux {
                libc: Libc::Glibc {
                    major: 2,
                    minor: 28
                },
                arch: Arch::X86_64
            }
        );

        let target = t("cp313-musllinux_1_2_aarch64");
        assert_eq!(
            target.platform,
            Platform::Linux {
                libc: Libc::Musl { major: 1, minor: 2 },
                arch: Arch::Aarch64
            }
        );

        let target = t("cp313t-manylinux_2_39_x86_64");
        assert!(target.python.free_threaded);
        assert_eq!(target.python_version(), (3, 13));

        assert_eq!(
            t("cp311-win_amd64").platform,
            Platform::Windows { arch: Arch::X86_64 }
        );
        assert_eq!(
            t("cp312-macosx_11_0_arm64").platform,
            Platform::MacOs {
                major: 11,
                minor: 0,
                arch: Arch::Aarch64
            }
        );
        assert_eq!(t("cp39-win32").python_version(), (3, 9));
        // Case and surrounding whitespace do not matter.
        assert_eq!(
            t("  CP312-Manylinux_2_28_X86_64 "),
            t("cp312-manylinux_2_28_x86_64")
        );
    }

    #[test]
    fn legacy_manylinux_aliases() {
        assert_eq!(
            t("cp312-manylinux2014_x86_64"),
            t("cp312-manylinux_2_17_x86_64")
        );
        assert_eq!(t("cp38-manylinux2010_i686"), t("cp38-manylinux_2_12_i686"));
        assert_eq!(t("cp38-manylinux1_x86_64"), t("cp38-manylinux_2_5_x86_64"));
    }

    #[test]
    fn malformed_tags_explain() {
        let e = err("cp312-linux_x86_64");
        assert!(e.contains("not portable"), "{e}");
        assert!(e.contains("accepted target forms"), "{e}");

        assert!(err("cp312t-manylinux_2_28_x86_64").contains("3.13"));
        assert!(err("cp27-manylinux_2_28_x86_64").contains("cp27"));
        assert!(err("cpx-manylinux_2_28_x86_64").contains("cpx"));
        assert!(err("cp312").contains("cpXY-PLATFORM"));
        assert!(err("cp312-manylinux_2_28_riscv64").contains("riscv64"));
        assert!(err("cp312-manylinux_3_1_x86_64").contains("glibc 3.1"));
        assert!(err("cp312-musllinux_2_0_x86_64").contains("musl 2.0"));
        assert!(err("cp312-manylinux_2_x86_64").contains("manylinux_2_N_ARCH"));
        assert!(err("cp312-macosx_10_9_arm64").contains("arm64 starts at 11.0"));
        assert!(err("cp312-macosx_11_0_universal2").contains("universal2"));
        assert!(err("cp312-freebsd_14_x86_64").contains("unknown platform tag"));
        assert!(err("cp312-manylinux_2_28_x86_64@linux/arm64").contains("only follows an image"));
        assert!(err("").contains("accepted target forms"));
        assert!(err("ubuntu").contains("accepted target forms"));
    }
}
