//! Guarantee 1, no panic on any input: property tests (proptest) over every parser pinwheel
//! runs on bytes it did not write: requirement files, locks (pinwheel's, uv's, pip-compile's,
//! pylock.toml), pyproject.toml, index pages (PEP 503 HTML, PEP 691 JSON), wheel and sdist
//! filenames, core metadata, zip central directories and members, sdist archives, netrc and
//! target spellings.
//!
//! Each parser gets arbitrary bytes and near-valid inputs: real fixtures (the locks uv and
//! pip-compile wrote, a wheel the zip crate wrote) with a few mutations each (bytes inserted,
//! removed, duplicated, overwritten, multi-byte characters and syntax tokens spliced in, zip
//! header fields overwritten with extreme values), so that they get past the first line of
//! checks and reach the deep code. A parser may refuse its input with an error; it must never
//! panic. The cases a run found are kept below as plain regression tests.
//!
//! The same parsers are fuzz targets under `fuzz/` (cargo-fuzz), for longer runs.

#[path = "support/parsers.rs"]
mod parsers;

use std::io::Write;
use std::path::Path;

use parsers::*;
use pinwheel::distribution::metadata::CoreMetadata;
use pinwheel::distribution::zip_ranges;
use pinwheel::index::simple;
use pinwheel::lock::{pylock, Lock};
use pinwheel::requirements::{PyProject, RequirementsFile};
use proptest::prelude::*;
use proptest::sample::Index;

/// `cases` per property, or `PROPTEST_CASES` when set (longer runs by hand).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// What a mutation does to a seed.
#[derive(Debug, Clone)]
enum Op {
    /// Insert these bytes.
    Insert(Index, Vec<u8>),
    /// Insert one of the syntax tokens or multi-byte characters parsers split on.
    Token(Index, Index),
    /// Remove up to this many bytes.
    Delete(Index, usize),
    /// Repeat up to this many bytes in place.
    Duplicate(Index, usize),
    /// Overwrite one byte.
    Byte(Index, u8),
    /// Overwrite four bytes with a little-endian number (zip fields: sizes, offsets, counts).
    Word(Index, u32),
    /// Cut the input here.
    Truncate(Index),
}

const TOKENS: &[&str] = &[
    "é",
    "≥",
    "\u{feff}",
    "\u{0}",
    "\u{7f}",
    "\u{10ffff}",
    "\r\n",
    "\n",
    "\\\n",
    " ",
    "\t",
    "#",
    "=",
    "==",
    "===",
    "~=",
    "!=",
    "<",
    ">",
    ">=",
    "<=",
    ",",
    ";",
    ":",
    "@",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "'",
    "/",
    "\\",
    "..",
    "-",
    "_",
    ".",
    "*",
    "%",
    "%2F",
    "${",
    "$",
    "-r ",
    "-c ",
    "-e ",
    "--hash=",
    "--hash=sha256:",
    "sha256:",
    "--index-url ",
    "--find-links ",
    "--extra-index-url ",
    "--only-binary ",
    "file:",
    "http://",
    "https://u:p@h/",
    "#sha256=",
    "; python_version",
    " and ",
    " or ",
    "extra == ",
    "[[packages]]",
    "[project]",
    "= [",
    "<a href=\"",
    "\">",
    "</a>",
    "<base href=\"",
    "&amp;",
    "&#",
    "data-yanked=",
    "data-requires-python=\"",
    "data-core-metadata=\"",
    "\"files\":",
    "null",
    "true",
    "{}",
    "[]",
    "0",
    "-1",
    "99999999999999999999",
    "1e400",
    "Requires-Dist: ",
    "Name: ",
    "Version: ",
    "Metadata-Version: 2.",
    "Requires-Python: ",
    "Dynamic: ",
    "Provides-Extra: ",
    "machine ",
    "login ",
    "password ",
    "default ",
    "macdef ",
    ".whl",
    ".tar.gz",
    ".zip",
    "-py3-none-any",
    "manylinux_2_17_x86_64",
    "musllinux_1_2",
    "cp312",
    "python:",
    "@linux/arm64",
    "alpine",
    "PK\u{3}\u{4}",
    "PK\u{1}\u{2}",
    "PK\u{5}\u{6}",
    "PK\u{6}\u{6}",
    "PK\u{6}\u{7}",
];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Op::Insert(i, b)),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Op::Token(i, t)),
        2 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Op::Delete(i, n)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Op::Duplicate(i, n)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Op::Byte(i, b)),
        2 => (
            any::<Index>(),
            prop_oneof![Just(0u32), Just(u32::MAX), Just(0xFFFF), Just(0x7FFF_FFFF), any::<u32>()]
        )
            .prop_map(|(i, w)| Op::Word(i, w)),
        1 => any::<Index>().prop_map(Op::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, ops: &[Op]) -> Vec<u8> {
    for op in ops {
        let len = bytes.len();
        match op {
            Op::Insert(i, b) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Op::Token(i, t) => {
                let at = i.index(len + 1);
                let token = TOKENS[t.index(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            Op::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Op::Duplicate(i, n) if len > 0 => {
                let at = i.index(len);
                let part = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, part);
            }
            Op::Byte(i, b) if len > 0 => bytes[i.index(len)] = *b,
            Op::Word(i, w) if len >= 4 => {
                let at = i.index(len - 3);
                bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
            }
            Op::Truncate(i) => bytes.truncate(i.index(len + 1)),
            _ => {}
        }
    }
    bytes
}

/// A generated input; shown as text (invalid UTF-8 replaced) when a case fails.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// Arbitrary bytes, or one of `seeds` with up to 8 mutations.
fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Bytes> {
    let mutated = (
        prop::sample::select(seeds),
        prop::collection::vec(op(), 0..8),
    )
        .prop_map(|(seed, ops)| apply(seed, &ops));
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..512),
        1 => ".{0,256}".prop_map(String::into_bytes),
        6 => mutated,
    ]
    .prop_map(Bytes)
}

// ---- seeds ----

const REQUIREMENTS: &str = r#"# A requirements file with every piece of syntax pip knows
--index-url https://user:${TOKEN}@pkgs.example/simple/
--extra-index-url https://other.example/simple
--find-links ./wheels
--only-binary :all:
--no-binary legacy
--pre
-c constraints.txt
-r base.txt
requests[socks,security] >= 2.31, < 3 ; python_version >= "3.8" and sys_platform != "win32"
numpy==2.0.0 --hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
    --hash=sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
demo @ https://files.example/demo-1.0-py3-none-any.whl#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
-e ./src/local
./vendored/pkg-1.0.tar.gz
Django ~= 4.2.0  # trailing comment
idna≥3
"#;

const PINWHEEL_LOCK: &str = r#"# This file was generated by pinwheel 0.1.0 from requirements.in:
#   pinwheel lock requirements.in -o requirements.lock --target python:3.12-slim --exclude-newer 2025-06-01
# hashes: the files the targets below install; --all-hashes would list every file
# targets: cp312-manylinux_2_28_x86_64 cp312-musllinux_1_2_aarch64
# --exclude-newer "7 days" resolved to 2025-10-01T12:00:00Z
--index-url https://pkgs.example/simple/
--find-links https://pkgs.example/links/
app==1.0.0 \
    --hash=sha256:84e58f0e58ba23d0306bd977d3a74c8d9638f107c65b4d2a0cdfc5ef423b02ae
    # via -r requirements.in
lib==1.2.0 ; platform_machine == "x86_64" \
    --hash=sha256:911510ffcb7149375587e6e1d0aa4561f22730b7965829d877ec263848b7c2e1
    # via app
direct @ https://files.example/direct-2.0-py3-none-any.whl#sha256=911510ffcb7149375587e6e1d0aa4561f22730b7965829d877ec263848b7c2e1 \
    --hash=sha256:911510ffcb7149375587e6e1d0aa4561f22730b7965829d877ec263848b7c2e1
requésts==1.0
"#;

const PYPROJECT: &str = r#"[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "my-service"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["requests>=2", "idna≥3", "click ; python_version < '3.13'"]
dynamic = ["readme"]

[project.optional-dependencies]
test = ["pytest>=8", "my-service[fast]"]
fast = ["orjson"]

[dependency-groups]
dev = ["ruff", { include-group = "lint" }]
lint = ["mypy", { include-group = "dev" }]

[tool.pinwheel]
targets = ["python:3.12-slim", "python:3.12-alpine@linux/arm64"]
exclude-newer = "7 days"
only-binary = [":all:"]
"#;

const HTML: &str = r#"<!DOCTYPE html>
<html><head><base href="https://mirror.example/packages/"></head><body>
<a href="../../files/demo-1.0-py3-none-any.whl#sha256=84e58f0e58ba23d0306bd977d3a74c8d9638f107c65b4d2a0cdfc5ef423b02ae" data-requires-python="&gt;=3.8" data-core-metadata="sha256=911510ffcb7149375587e6e1d0aa4561f22730b7965829d877ec263848b7c2e1">demo-1.0-py3-none-any.whl</a><br/>
<a href='demo-1.0.tar.gz#md5=abc' data-yanked="broken &amp; bad">demo-1.0.tar.gz</a>
<A HREF=demo-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl data-dist-info-metadata=true>x</A>
<a href="/files/evil/../../etc/passwd">../../etc/passwd</a>
</body></html>
"#;

const JSON: &str = r#"{"meta": {"api-version": "1.1", "_last-serial": 3}, "name": "demo", "versions": ["1.0"],
"files": [
 {"filename": "demo-1.0-py3-none-any.whl", "url": "../../files/demo-1.0-py3-none-any.whl",
  "hashes": {"sha256": "84E58F0E58BA23D0306BD977D3A74C8D9638F107C65B4D2A0CDFC5EF423B02AE"},
  "requires-python": ">=3.8", "yanked": false, "upload-time": "2024-01-01T00:00:00.123456Z",
  "size": 25759, "core-metadata": {"sha256": "911510ffcb7149375587e6e1d0aa4561f22730b7965829d877ec263848b7c2e1"}},
 {"filename": "demo-1.0.tar.gz", "url": "https://files.example/demo-1.0.tar.gz", "hashes": {},
  "yanked": "broken", "dist-info-metadata": true, "upload-time": "2024-13-45T99:00:00Z"},
 {"filename": "demo-1.0.zip", "url": "file:///etc/passwd", "hashes": {"md5": "x"}}
]}"#;

const METADATA: &str = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nSummary: a demo\n\
Requires-Python: >=3.8, <4\nRequires-Dist: requests (>=2.0<3.0)\nRequires-Dist: idna>=3 ; extra == 'idna'\n\
Requires-Dist: foo[bar]~=1 ; python_version>='3.6.*'\nProvides-Extra: idna\nProvides-Extra: test\n\
Dynamic: Requires-Dist\nDescription: line one\n        |line two\n\nThe long description body.\n";

const NETRC: &str = "machine pkgs.example login alice password s3cret\n\
machine a.example\n  login u1\n  password p1\n  account acc\n\
default login anonymous password guest\nmacdef init\ncd /pub\n\n";

fn wheel_bytes() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let stored = deflated.compression_method(zip::CompressionMethod::Stored);
        z.start_file("demo/__init__.py", stored).unwrap();
        z.write_all(b"x = 1\n").unwrap();
        z.start_file("demo-1.0.dist-info/METADATA", deflated)
            .unwrap();
        z.write_all(METADATA.as_bytes()).unwrap();
        z.start_file("demo-1.0.dist-info/WHEEL", stored).unwrap();
        z.write_all(b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
            .unwrap();
        z.start_file("demo-1.0/PKG-INFO", stored).unwrap();
        z.write_all(METADATA.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn tar_bytes(gzip: bool) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, body) in [
        (
            "demo-1.0/setup.py",
            &b"from setuptools import setup\nsetup()\n"[..],
        ),
        ("demo-1.0/PKG-INFO", METADATA.as_bytes()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, body).unwrap();
    }
    let raw = tar.into_inner().unwrap();
    if !gzip {
        return raw;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

fn seeds(texts: &[&str]) -> Vec<Vec<u8>> {
    texts.iter().map(|t| t.as_bytes().to_vec()).collect()
}

fn lock_seeds() -> Vec<Vec<u8>> {
    let mut s = seeds(&[PINWHEEL_LOCK, REQUIREMENTS]);
    for f in [
        "uv.lock",
        "pip-compile.lock",
        "pylock.uv.toml",
        "pylock.pip.toml",
        "wheelhouse.in",
    ] {
        s.push(fixture(&format!("fixtures/locks/{f}")));
    }
    s
}

proptest! {
    #![proptest_config(config(768))]

    #[test]
    fn requirement_files_and_locks_never_panic(bytes in input(lock_seeds())) {
        requirements_or_lock(&bytes.0);
    }

    #[test]
    fn pylock_toml_never_panics(bytes in input(vec![
        fixture("fixtures/locks/pylock.uv.toml"),
        fixture("fixtures/locks/pylock.pip.toml"),
    ])) {
        pylock_toml(&bytes.0);
    }

    #[test]
    fn pyproject_toml_never_panics(bytes in input(seeds(&[PYPROJECT]))) {
        pyproject(&bytes.0);
    }

    #[test]
    fn index_pages_never_panic(bytes in input(seeds(&[HTML, JSON]))) {
        index_page(&bytes.0);
    }

    #[test]
    fn core_metadata_never_panics(bytes in input(seeds(&[METADATA]))) {
        metadata(&bytes.0);
    }

    #[test]
    fn zip_central_directories_and_members_never_panic(bytes in input(vec![wheel_bytes()])) {
        zip(&bytes.0);
    }

    #[test]
    fn sdist_archives_never_panic(bytes in input(vec![tar_bytes(true), tar_bytes(false), wheel_bytes()])) {
        sdist(&bytes.0);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn filenames_never_panic(bytes in input(seeds(&[
        "demo-1.0-py3-none-any.whl",
        "numpy-2.0.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "Foo_Bar-1.0.post1.dev2+local.7-py2.py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo_pkg-1.0rc1.zip",
        "demo-1.0.tar.bz2",
    ]))) {
        filename(&bytes.0);
    }

    #[test]
    fn netrc_never_panics(bytes in input(seeds(&[NETRC]))) {
        netrc(&bytes.0);
    }

    #[test]
    fn target_spellings_never_panic(bytes in input(seeds(&[
        "cp312-manylinux_2_28_x86_64",
        "cp313t-musllinux_1_2_aarch64",
        "python:3.12-slim",
        "python:3.13-alpine3.20@linux/arm64",
        "gcr.io/distroless/python3-debian12",
        "cp311-win_amd64",
        "cp312-macosx_11_0_arm64",
    ]))) {
        target(&bytes.0);
    }
}

/// The seeds themselves parse (so the mutations start from inputs that reach deep code).
#[test]
fn the_seeds_are_accepted_by_their_parsers() {
    let path = Path::new("/nonexistent-pinwheel-dir/requirements.lock");
    for f in ["uv.lock", "pip-compile.lock"] {
        let text = String::from_utf8(fixture(&format!("fixtures/locks/{f}"))).unwrap();
        let file = RequirementsFile::parse_str(&text, path).unwrap();
        Lock::from_requirements(&file, true).unwrap();
    }
    for f in ["pylock.uv.toml", "pylock.pip.toml"] {
        let text = String::from_utf8(fixture(&format!("fixtures/locks/{f}"))).unwrap();
        pylock::parse(&text, Path::new(f), true).unwrap();
    }
    PyProject::parse_str(PYPROJECT, Path::new("pyproject.toml")).unwrap();
    let base = url::Url::parse("https://example.org/simple/demo/").unwrap();
    assert_eq!(simple::parse_html(HTML, &base).unwrap().files.len(), 4);
    assert_eq!(
        simple::parse_json(JSON.as_bytes(), &base)
            .unwrap()
            .files
            .len(),
        3
    );
    CoreMetadata::parse(METADATA.as_bytes()).unwrap();
    let meta = zip_ranges::read_metadata_from_whole(&wheel_bytes(), Some("demo-1.0")).unwrap();
    assert_eq!(meta, METADATA.as_bytes());
    for (bytes, name) in [
        (tar_bytes(true), "demo-1.0.tar.gz"),
        (tar_bytes(false), "demo-1.0.tar"),
    ] {
        assert!(read_sdist_pkg_info(&bytes, name).unwrap().is_some());
    }
}
