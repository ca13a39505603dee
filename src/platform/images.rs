//! Docker image names → targets: the table of facts from `shared/targets.md` (which Debian or
//! Alpine release an official `python:` tag is built on, and that release's libc), plus
//! Docker's platform names (`@linux/arm64`).

use super::{
    Arch, ImageProblem, Implementation, Libc, Platform, PythonVersion, Target, TargetError,
};

/// glibc of the Debian releases the official images are built on.
const DEBIAN: &[(&str, u32)] = &[
    ("stretch", 24),
    ("buster", 28),
    ("bullseye", 31),
    ("bookworm", 36),
    ("trixie", 41),
];

/// The Debian release behind the bare `python:X.Y` and `python:X.Y-slim` tags (stable).
const CURRENT_DEBIAN_GLIBC_MINOR: u32 = 41;

/// Alpine 3.13 and later ship musl 1.2; 3.12 and earlier musl 1.1.
fn alpine_musl(major: u32, minor: u32) -> Option<Libc> {
    if major != 3 {
        return None;
    }
    Some(Libc::Musl {
        major: 1,
        minor: if minor <= 12 { 1 } else { 2 },
    })
}

/// The operating-system family of an image, before a Docker platform picks the architecture.
enum ImageOs {
    Linux(Libc),
    Windows,
}

fn unknown(input: &str, problem: ImageProblem) -> TargetError {
    TargetError::UnknownImage {
        input: input.to_string(),
        problem,
    }
}

/// `image[@platform]`, already lowercased in `lower`.
pub(super) fn parse_image(input: &str, lower: &str) -> Result<Target, TargetError> {
    let (image, docker_platform) = match lower.rsplit_once('@') {
        // An image digest pins the bytes, not the facts we need: the tag still names them.
        Some((image, digest)) if digest.starts_with("sha256:") => (image, None),
        Some((image, platform)) => (image, Some(platform)),
        None => (lower, None),
    };
    let image = [
        "docker.io/library/",
        "index.docker.io/library/",
        "docker.io/",
        "library/",
    ]
    .iter()
    .find_map(|prefix| image.strip_prefix(prefix))
    .unwrap_or(image);

    let (python, os) = if let Some(rest) = image.strip_prefix("gcr.io/distroless/") {
        distroless(input, rest)?
    } else if let Some(rest) = image.strip_prefix("python") {
        match rest.strip_prefix(':') {
            Some(tag) => official_python(input, tag)?,
            None if rest.is_empty() => return Err(unknown(input, ImageProblem::LatestPython)),
            None => return Err(unknown(input, ImageProblem::NotOfficialPython)),
        }
    } else {
        return Err(unknown(input, ImageProblem::UnknownRepository));
    };

    let platform = match os {
        ImageOs::Linux(libc) => {
            let arch = match docker_platform {
                None => Arch::X86_64,
                Some(p) => linux_platform(p).ok_or_else(|| TargetError::UnknownDockerPlatform {
                    input: input.to_string(),
                    platform: p.to_string(),
                    windows: false,
                })?,
            };
            Platform::Linux { libc, arch }
        }
        ImageOs::Windows => match docker_platform {
            None | Some("windows/amd64") => Platform::Windows { arch: Arch::X86_64 },
            Some(p) => {
                return Err(TargetError::UnknownDockerPlatform {
                    input: input.to_string(),
                    platform: p.to_string(),
                    windows: true,
                })
            }
        },
    };
    Ok(Target {
        implementation: Implementation::CPython,
        python,
        platform,
    })
}

/// Docker's platform names, with the aliases Docker itself normalizes.
fn linux_platform(p: &str) -> Option<Arch> {
    Some(match p {
        "linux/amd64" | "linux/x86_64" => Arch::X86_64,
        "linux/arm64" | "linux/arm64/v8" | "linux/aarch64" => Arch::Aarch64,
        "linux/arm/v7" | "linux/arm" => Arch::Armv7l,
        "linux/386" | "linux/i386" | "linux/i686" => Arch::I686,
        "linux/ppc64le" => Arch::Ppc64le,
        "linux/s390x" => Arch::S390x,
        _ => return None,
    })
}

/// `gcr.io/distroless/python3-debian12[:latest|:nonroot|:debug|:debug-nonroot]`.
fn distroless(input: &str, rest: &str) -> Result<(PythonVersion, ImageOs), TargetError> {
    let (name, tag) = rest.split_once(':').unwrap_or((rest, "latest"));
    if !matches!(tag, "latest" | "nonroot" | "debug" | "debug-nonroot") {
        return Err(unknown(
            input,
            ImageProblem::DistrolessTag {
                tag: tag.to_string(),
            },
        ));
    }
    let (minor, glibc_minor) = match name {
        "python3-debian12" => (11, 36),
        "python3-debian13" => (13, 41),
        other => {
            return Err(unknown(
                input,
                ImageProblem::DistrolessImage {
                    name: other.to_string(),
                },
            ))
        }
    };
    Ok((
        PythonVersion {
            major: 3,
            minor,
            patch: None,
            free_threaded: false,
        },
        ImageOs::Linux(Libc::Glibc {
            major: 2,
            minor: glibc_minor,
        }),
    ))
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An official image tag: `3.12`, `3.12.4-slim`, `3.12-slim-bookworm`, `3.13-alpine3.20`.
fn official_python(input: &str, tag: &str) -> Result<(PythonVersion, ImageOs), TargetError> {
    let (version, variant) = tag.split_once('-').unwrap_or((tag, ""));
    let floating = || {
        unknown(
            input,
            ImageProblem::FloatingTag {
                tag: tag.to_string(),
            },
        )
    };
    let mut parts = version.split('.');
    let major = parts.next().and_then(number).ok_or_else(floating)?;
    let minor = parts.next().and_then(number).ok_or_else(floating)?;
    let patch = match parts.next() {
        None => None,
        Some(p) => Some(number(p).ok_or_else(|| {
            unknown(
                input,
                ImageProblem::PythonRelease {
                    version: version.to_string(),
                },
            )
        })?),
    };
    if major != 3 || parts.next().is_some() {
        return Err(unknown(
            input,
            ImageProblem::NotPython3 {
                version: version.to_string(),
            },
        ));
    }
    let python = PythonVersion {
        major,
        minor,
        patch,
        free_threaded: false,
    };

    let glibc = |minor| ImageOs::Linux(Libc::Glibc { major: 2, minor });
    let os = match variant {
        "" | "slim" => glibc(CURRENT_DEBIAN_GLIBC_MINOR),
        "alpine" => ImageOs::Linux(Libc::Musl { major: 1, minor: 2 }),
        v if v.starts_with("windowsservercore") || v.starts_with("nanoserver") => ImageOs::Windows,
        v => {
            if let Some(release) = v.strip_prefix("alpine") {
                let libc = release
                    .split_once('.')
                    .and_then(|(a, b)| alpine_musl(number(a)?, number(b)?))
                    .ok_or_else(|| {
                        unknown(
                            input,
                            ImageProblem::AlpineRelease {
                                variant: v.to_string(),
                            },
                        )
                    })?;
                ImageOs::Linux(libc)
            } else {
                let codename = v.strip_prefix("slim-").unwrap_or(v);
                let (_, glibc_minor) = DEBIAN
                    .iter()
                    .find(|(name, _)| *name == codename)
                    .ok_or_else(|| {
                        unknown(
                            input,
                            ImageProblem::Variant {
                                variant: v.to_string(),
                            },
                        )
                    })?;
                glibc(*glibc_minor)
            }
        }
    };
    Ok((python, os))
}

#[cfg(test)]
mod tests {
    use super::super::Target;

    fn canon(s: &str) -> String {
        Target::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .canonical()
    }

    fn err(s: &str) -> String {
        Target::parse(s)
            .map(|t| panic!("{s} parsed as {t}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn debian_images() {
        assert_eq!(canon("python:3.12"), "cp312-manylinux_2_41_x86_64");
        assert_eq!(canon("python:3.12-slim"), "cp312-manylinux_2_41_x86_64");
        assert_eq!(
            canon("python:3.12-slim-bookworm"),
            "cp312-manylinux_2_36_x86_64"
        );
        assert_eq!(canon("python:3.11-bookworm"), "cp311-manylinux_2_36_x86_64");
        assert_eq!(canon("python:3.10-bullseye"), "cp310-manylinux_2_31_x86_64");
        assert_eq!(
            canon("python:3.9-slim-buster"),
            "cp39-manylinux_2_28_x86_64"
        );
        assert_eq!(canon("python:3.13-trixie"), "cp313-manylinux_2_41_x86_64");
    }

    #[test]
    fn alpine_images() {
        assert_eq!(canon("python:3.13-alpine"), "cp313-musllinux_1_2_x86_64");
        assert_eq!(
            canon("python:3.13-alpine3.20"),
            "cp313-musllinux_1_2_x86_64"
        );
        assert_eq!(
            canon("python:3.12-alpine3.13"),
            "cp312-musllinux_1_2_x86_64"
        );
        assert_eq!(canon("python:3.8-alpine3.12"), "cp38-musllinux_1_1_x86_64");
        assert_eq!(canon("python:3.7-alpine3.9"), "cp37-musllinux_1_1_x86_64");
    }

    #[test]
    fn distroless_images() {
        assert_eq!(
            canon("gcr.io/distroless/python3-debian12"),
            "cp311-manylinux_2_36_x86_64"
        );
        assert_eq!(
            canon("gcr.io/distroless/python3-debian13:nonroot"),
            "cp313-manylinux_2_41_x86_64"
        );
        assert_eq!(
            canon("gcr.io/distroless/python3-debian12:debug@linux/arm64"),
            "cp311-manylinux_2_36_aarch64"
        );
    }

    #[test]
    fn docker_platforms() {
        for (platform, arch) in [
            ("linux/amd64", "x86_64"),
            ("linux/arm64", "aarch64"),
            ("linux/arm64/v8", "aarch64"),
            ("linux/arm/v7", "armv7l"),
            ("linux/386", "i686"),
            ("linux/ppc64le", "ppc64le"),
            ("linux/s390x", "s390x"),
        ] {
            assert_eq!(
                canon(&format!("python:3.12-alpine@{platform}")),
                format!("cp312-musllinux_1_2_{arch}")
            );
        }
        let e = err("python:3.12@linux/riscv64");
        assert!(e.contains("linux/riscv64"), "{e}");
        assert!(e.contains("linux/arm/v7"), "{e}");
    }

    #[test]
    fn registry_prefixes_digests_and_patch() {
        assert_eq!(
            canon("docker.io/library/python:3.12-slim@linux/arm64"),
            "cp312-manylinux_2_41_aarch64"
        );
        assert_eq!(canon("library/python:3.11"), "cp311-manylinux_2_41_x86_64");
        assert_eq!(
            canon("python:3.12-slim@sha256:0123abcd"),
            "cp312-manylinux_2_41_x86_64"
        );
        let target = Target::parse("python:3.12.4-slim-bookworm").unwrap();
        assert_eq!(target.python.patch, Some(4));
        assert_eq!(target.python_full_version().to_string(), "3.12.4");
        assert_eq!(target.canonical(), "cp312-manylinux_2_36_x86_64");
    }

    #[test]
    fn windows_images() {
        assert_eq!(
            canon("python:3.12-windowsservercore-ltsc2022"),
            "cp312-win_amd64"
        );
        assert_eq!(canon("python:3.13-nanoserver"), "cp313-win_amd64");
        assert!(err("python:3.13-nanoserver@linux/arm64").contains("windows/amd64"));
    }

    #[test]
    fn unknown_images_list_accepted_forms() {
        for (input, needle) in [
            ("python:3.12-jessie-ish", "image variant"),
            ("python", "python:latest"),
            ("python:latest", "does not name a Python minor"),
            ("python:3", "does not name a Python minor"),
            ("python:slim", "does not name a Python minor"),
            ("python:2.7-slim", "not a Python 3 version"),
            ("python:3.12.x", "not a released Python version"),
            ("python:3.12-alpineedge", "Alpine release"),
            ("python:3.12-alpine4.0", "Alpine release"),
            ("ubuntu:24.04", "interpreter and platform tag"),
            ("pythonista:1", "not an official"),
            ("gcr.io/distroless/python3", "python3-debian12"),
            ("gcr.io/distroless/python3-debian12:v1", "distroless tag"),
        ] {
            let e = err(input);
            assert!(e.contains(needle), "{input}: {e}");
            assert!(e.contains("accepted target forms"), "{input}: {e}");
            assert!(e.contains("python:3.12-slim-bookworm"), "{input}: {e}");
        }
    }
}
