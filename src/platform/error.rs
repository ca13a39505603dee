//! Why a target could not be understood or detected, as data: [`TargetError`] names the input,
//! and what is wrong with a tag spelling, an image or the host is a variant of [`TagProblem`],
//! [`ImageProblem`] or [`HostProblem`]. Each reads as the words the user sees.

use super::ACCEPTED_FORMS;

/// Why a target could not be understood or detected.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Neither a tag spelling nor an image.
    #[error("`{input}` is not a target\n{ACCEPTED_FORMS}")]
    Unrecognized { input: String },

    /// Looks like `cpXY-platform` but some part is wrong.
    #[error("`{input}` is not a valid interpreter + platform tag: {problem}\n{ACCEPTED_FORMS}")]
    MalformedTag { input: String, problem: TagProblem },

    /// A Python version that does not exist (yet).
    #[error("`{input}`: there is no Python {version}; pinwheel knows CPython 3 up to {newest}, the next release\n{ACCEPTED_FORMS}")]
    UnknownPython {
        input: String,
        version: String,
        newest: String,
    },

    /// An image pinwheel has no facts about.
    #[error("unknown image `{input}`: {problem}\n{ACCEPTED_FORMS}")]
    UnknownImage {
        input: String,
        problem: ImageProblem,
    },

    /// A Docker platform (`@os/arch`) that is not supported for this image.
    #[error("`{input}`: unsupported Docker platform `{platform}`{}\n{ACCEPTED_FORMS}",
        if *windows { " (Windows images run on `windows/amd64`)" } else { "" })]
    UnknownDockerPlatform {
        input: String,
        platform: String,
        /// The image is a Windows one.
        windows: bool,
    },

    /// `python3` could not be run to describe the host.
    #[error(
        "could not run `{program}` to detect the host target (pass --target explicitly): {source}"
    )]
    HostPythonNotRunnable {
        program: String,
        #[source]
        source: std::io::Error,
    },

    /// `python3` ran but failed.
    #[error("`{program}` failed while detecting the host target ({status}): {stderr}")]
    HostPythonFailed {
        program: String,
        status: String,
        stderr: String,
    },

    /// The host is something a target cannot describe.
    #[error("cannot describe the host as a target: {0} (pass --target explicitly)")]
    UnsupportedHost(HostProblem),
}

/// What is wrong with a `cpXY-PLATFORM` spelling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagProblem {
    #[error("a Docker platform (`@linux/arm64`) only follows an image; the tag already names the architecture")]
    PlatformAfterTag,
    #[error("expected `cpXY-PLATFORM`, e.g. `cp312-manylinux_2_28_x86_64`")]
    NoPlatform,
    #[error("`{interpreter}` is not a CPython 3 interpreter tag such as `cp312` or `cp313t`")]
    Interpreter { interpreter: String },
    #[error("free-threaded CPython (`t`) exists from 3.13 on, not 3.{minor}")]
    FreeThreadedBefore313 { minor: u32 },
    #[error(
        "unsupported Linux architecture `{arch}` (x86_64, aarch64, armv7l, i686, ppc64le, s390x)"
    )]
    LinuxArch { arch: String },
    #[error("`{tag}` is not `manylinux_2_N_ARCH`, e.g. `manylinux_2_28_x86_64`")]
    Manylinux { tag: String },
    #[error("glibc {major}.{minor} is not a glibc 2.x version")]
    NotGlibc2 { major: u32, minor: u32 },
    #[error("`{tag}` is not `musllinux_1_N_ARCH`, e.g. `musllinux_1_2_x86_64`")]
    Musllinux { tag: String },
    #[error("musl {major}.{minor} is not a musl 1.x version")]
    NotMusl1 { major: u32, minor: u32 },
    #[error("`{tag}` is not `macosx_MAJOR_MINOR_ARCH`, e.g. `macosx_11_0_arm64`")]
    Macos { tag: String },
    #[error("a macOS target's architecture is `arm64` or `x86_64`, not `{arch}`")]
    MacosArch { arch: String },
    #[error(
        "macOS {major}.{minor} on {arch} does not exist (arm64 starts at 11.0, x86_64 at 10.0)"
    )]
    MacosVersion {
        major: u32,
        minor: u32,
        /// The macOS spelling (`arm64`, `x86_64`).
        arch: &'static str,
    },
    #[error("`{tag}` is not portable (it names no libc version); use `manylinux_2_N_ARCH` or `musllinux_1_N_ARCH`")]
    NotPortable { tag: String },
    #[error("unknown platform tag `{tag}` (manylinux_2_N_ARCH, musllinux_1_N_ARCH, macosx_M_m_ARCH, win_amd64, win32, win_arm64)")]
    UnknownPlatform { tag: String },
    /// A libc or macOS version part past the largest pinwheel takes (99).
    #[error("{what} is past any release (pinwheel takes version parts up to {max})")]
    PastAnyRelease { what: String, max: u32 },
}

/// Why an image name gives no target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageProblem {
    #[error("`python` without a tag is `python:latest`, which moves between Python versions; name one, e.g. `python:3.12-slim`")]
    LatestPython,
    #[error("not an official `python:` image")]
    NotOfficialPython,
    #[error("pinwheel knows the official `python:` images and distroless `python3-debian12`/`-debian13`; for another image, name its interpreter and platform tag instead (e.g. `cp312-manylinux_2_35_x86_64` for Python 3.12 on Ubuntu 22.04)")]
    UnknownRepository,
    #[error("distroless tag `{tag}` (known: latest, nonroot, debug, debug-nonroot)")]
    DistrolessTag { tag: String },
    #[error("distroless image `{name}` (known: python3-debian12, python3-debian13)")]
    DistrolessImage { name: String },
    #[error("tag `{tag}` does not name a Python minor version (it moves over time); name one, e.g. `python:3.12-slim`")]
    FloatingTag { tag: String },
    #[error("`{version}` is not a released Python version (X.Y or X.Y.Z)")]
    PythonRelease { version: String },
    #[error("`{version}` is not a Python 3 version")]
    NotPython3 { version: String },
    #[error("`{variant}` is not an Alpine release such as `alpine3.20`")]
    AlpineRelease { variant: String },
    #[error("image variant `{variant}` (known: slim, alpine, alpineN.M, buster, bullseye, bookworm, trixie, slim-<debian release>, windowsservercore, nanoserver)")]
    Variant { variant: String },
}

/// Why the host (as its `python3` reports it) is no target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostProblem {
    /// The probe's output, which has no `version=` line.
    #[error("the interpreter's report has no version: {0:?}")]
    NoVersion(String),
    #[error("the interpreter is `{0}`, and pinwheel targets CPython")]
    NotCPython(String),
    #[error("Python {major}.{minor} is not Python 3")]
    NotPython3 { major: u32, minor: u32 },
    #[error("Linux on `{0}`")]
    LinuxMachine(String),
    #[error("Linux without a detectable glibc or musl version")]
    NoLibc,
    #[error("macOS on `{0}`")]
    MacosMachine(String),
    #[error("macOS without a version from platform.mac_ver()")]
    NoMacosVersion,
    #[error("Windows on `{0}`")]
    WindowsMachine(String),
    #[error("sys.platform `{0}` (targets are Linux, macOS or Windows)")]
    Os(String),
}
