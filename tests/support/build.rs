//! Builds the fixture index: real wheels (PEP 427: METADATA, WHEEL, RECORD with hashes) and
//! sdists (PKG-INFO, pyproject.toml, an in-tree stdlib-only PEP 517 backend that pip can build
//! offline) from `<project>.toml` specs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Spec {
    name: String,
    #[serde(default)]
    release: Vec<Release>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Release {
    version: String,
    requires_python: Option<String>,
    #[serde(default)]
    requires_dist: Vec<String>,
    #[serde(default)]
    provides_extra: Vec<String>,
    upload_time: Option<String>,
    yanked: Option<toml::Value>,
    #[serde(default)]
    wheels: Vec<String>,
    sdist: Option<String>,
    /// The sdist's archive: `tar.gz` (default), `tgz`, `tar`, `zip`, or a format pinwheel does
    /// not open (`tar.bz2`: the bytes are a plain tar, as nothing reads them).
    sdist_format: Option<String>,
    /// KiB of incompressible data stored after METADATA in each wheel (default 24): large
    /// enough, METADATA falls outside the first range request's tail.
    filler_kib: Option<usize>,
    /// The sdist's `[build-system].requires` (none by default: the in-tree backend needs nothing).
    #[serde(default)]
    build_requires: Vec<String>,
    /// What the sdist's backend returns from `get_requires_for_build_wheel`.
    #[serde(default)]
    hook_requires: Vec<String>,
    /// Python statements the sdist's backend runs before preparing metadata or a wheel (checks
    /// of the build environment: an `assert` that fails fails the build with its message).
    #[serde(default)]
    backend_checks: Vec<String>,
    /// The wheels' `console_scripts` entry points, `name = module:main`; the module gets a
    /// `main` that prints `<name> <version>`.
    #[serde(default)]
    console_scripts: Vec<String>,
    /// What the sdist's `build_wheel` makes, in the backend's newer form that dates the archive's
    /// members by `SOURCE_DATE_EPOCH` (else now) and records its value in the module, so the
    /// same value gives the same bytes: `pure` (`py3-none-any`),
    /// `platform` (`cpXY-cpXY-linux_<machine>` of the Python that runs it, not purelib) or
    /// `fail` (prints a compiler's complaint and fails). Absent: the original backend.
    wheel_build: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FileInfo {
    pub sha256: String,
    pub size: u64,
    pub requires_python: Option<String>,
    pub yanked: Option<String>,
    pub upload_time: String,
    /// The wheel's METADATA (served as `.metadata`).
    pub metadata: Option<Vec<u8>>,
}

pub struct Built {
    pub files_dir: PathBuf,
    /// Normalized project name to its file names.
    pub projects: BTreeMap<String, Vec<String>>,
    pub files: BTreeMap<String, FileInfo>,
}

pub fn sha256_bytes(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

pub fn sha256_file(p: &Path) -> String {
    sha256_bytes(&std::fs::read(p).unwrap())
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn record_hash(b: &[u8]) -> String {
    let b64 = base64(&Sha256::digest(b));
    format!(
        "sha256={}",
        b64.trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_")
    )
}

/// A project name as wheel file names spell it (PEP 427: runs of `-_.` become `_`, lowercase).
pub fn escape(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn metadata(name: &str, r: &Release, version: &str, dynamic: bool) -> String {
    let mut m = format!(
        "Metadata-Version: 2.2\nName: {name}\nVersion: {version}\nSummary: pinwheel test fixture\n"
    );
    if let Some(rp) = &r.requires_python {
        m.push_str(&format!("Requires-Python: {rp}\n"));
    }
    for e in &r.provides_extra {
        m.push_str(&format!("Provides-Extra: {e}\n"));
    }
    if dynamic {
        m.push_str("Dynamic: Requires-Dist\n");
    } else {
        for d in &r.requires_dist {
            m.push_str(&format!("Requires-Dist: {d}\n"));
        }
    }
    m.push_str("\nA fixture package.\n");
    m
}

/// Incompressible-ish filler so that METADATA is not in a wheel's last bytes.
fn filler(seed: &str, n: usize) -> Vec<u8> {
    let mut x: u64 = seed.bytes().fold(1469598103934665603, |h, b| {
        (h ^ b as u64).wrapping_mul(1099511628211)
    });
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn wheel_bytes(name: &str, version: &str, tag: &str, meta: &str, r: &Release) -> Vec<u8> {
    let filler_kib = r.filler_kib.unwrap_or(24);
    let module = escape(name);
    let dist_info = format!("{module}-{version}.dist-info");
    let mut init = format!("__version__ = \"{version}\"\n");
    if !r.console_scripts.is_empty() {
        init.push_str(&format!(
            "\ndef main():\n    print(\"{name} \" + __version__)\n"
        ));
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (format!("{module}/__init__.py"), init.into_bytes()),
        (format!("{dist_info}/METADATA"), meta.as_bytes().to_vec()),
        (
            format!("{module}/_data.bin"),
            filler(&format!("{name}{version}{tag}"), filler_kib * 1024),
        ),
    ];
    if !r.console_scripts.is_empty() {
        let mut ep = String::from("[console_scripts]\n");
        for line in &r.console_scripts {
            ep.push_str(line);
            ep.push('\n');
        }
        files.push((format!("{dist_info}/entry_points.txt"), ep.into_bytes()));
    }
    let mut wheel =
        String::from("Wheel-Version: 1.0\nGenerator: pinwheel-fixtures\nRoot-Is-Purelib: true\n");
    for t in expand(tag) {
        wheel.push_str(&format!("Tag: {t}\n"));
    }
    files.push((format!("{dist_info}/WHEEL"), wheel.into_bytes()));
    let mut record = String::new();
    for (n, b) in &files {
        record.push_str(&format!("{n},{},{}\n", record_hash(b), b.len()));
    }
    record.push_str(&format!("{dist_info}/RECORD,,\n"));
    files.push((format!("{dist_info}/RECORD"), record.into_bytes()));
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (n, b) in &files {
            let method = if n.ends_with(".bin") {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .last_modified_time(zip::DateTime::default());
            z.start_file(n.as_str(), opts).unwrap();
            z.write_all(b).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn expand(tag: &str) -> Vec<String> {
    let parts: Vec<&str> = tag.split('-').collect();
    let mut out = Vec::new();
    for py in parts[0].split('.') {
        for abi in parts[1].split('.') {
            for plat in parts[2].split('.') {
                out.push(format!("{py}-{abi}-{plat}"));
            }
        }
    }
    out
}

/// A self-contained PEP 517 backend (stdlib only): the fixture's requirements live here, so
/// with `Dynamic: Requires-Dist` only the backend knows them. With `fail`, every hook raises
/// (a project whose build needs something the host lacks).
fn backend(name: &str, version: &str, meta: &str, fail: bool, r: &Release) -> String {
    let module = escape(name);
    let fail = if fail { "True" } else { "False" };
    let hook_requires = format!("{:?}", r.hook_requires);
    // Without checks the backend reads as it always has (fixture sdists keep their hashes).
    let (mut checks, mut check) = (String::new(), "");
    if !r.backend_checks.is_empty() {
        checks.push_str("def _check():\n");
        for line in &r.backend_checks {
            checks.push_str(&format!("    {line}\n"));
        }
        checks.push('\n');
        check = "    _check()\n";
    }
    format!(
        r#"import base64, hashlib, os, zipfile
NAME = {name:?}
MODULE = {module:?}
VERSION = {version:?}
METADATA = {meta:?}
DIST_INFO = MODULE + "-" + VERSION + ".dist-info"
if {fail}:
    raise RuntimeError("fixture backend fails on purpose")

{checks}def get_requires_for_build_wheel(config_settings=None):
    return {hook_requires}

def get_requires_for_build_sdist(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
{check}    d = os.path.join(metadata_directory, DIST_INFO)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write(METADATA)
    return DIST_INFO

def _hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
{check}    filename = MODULE + "-" + VERSION + "-py3-none-any.whl"
    files = {{
        MODULE + "/__init__.py": ("__version__ = %r\n" % VERSION).encode(),
        DIST_INFO + "/METADATA": METADATA.encode(),
        DIST_INFO + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: fixture_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }}
    record = "".join("%s,%s,%d\n" % (n, _hash(b), len(b)) for n, b in files.items()) + DIST_INFO + "/RECORD,,\n"
    files[DIST_INFO + "/RECORD"] = record.encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    return filename

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError("fixture sdists are prebuilt")
"#
    ) + &wheel_build(r)
}

/// The `build_wheel` of `wheel-build` fixtures (replaces the one above).
fn wheel_build(r: &Release) -> String {
    let Some(kind) = &r.wheel_build else {
        return String::new();
    };
    format!(
        r#"
WHEEL_BUILD = {kind:?}

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import platform, sys, time
    if WHEEL_BUILD == "fail":
        print("running build_ext")
        print("building '" + MODULE + "._speedups' extension", file=sys.stderr)
        print("error: command 'gcc' failed: No such file or directory", file=sys.stderr)
        raise SystemExit(1)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = time.gmtime(max(int(epoch or time.time()), 315532800))[:6]
    if WHEEL_BUILD == "platform":
        py = "cp%d%d" % sys.version_info[:2]
        tag = py + "-" + py + "-linux_" + platform.machine()
        purelib = "false"
    else:
        tag, purelib = "py3-none-any", "true"
    filename = MODULE + "-" + VERSION + "-" + tag + ".whl"
    files = {{
        MODULE + "/__init__.py": ("__version__ = %r\nBUILT = %r\nSOURCE_DATE_EPOCH = %r\n" % (VERSION, tag, epoch)).encode(),
        DIST_INFO + "/METADATA": METADATA.encode(),
        DIST_INFO + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: fixture_backend\nRoot-Is-Purelib: %s\nTag: %s\n" % (purelib, tag)).encode(),
    }}
    record = "".join("%s,%s,%d\n" % (n, _hash(b), len(b)) for n, b in files.items()) + DIST_INFO + "/RECORD,,\n"
    files[DIST_INFO + "/RECORD"] = record.encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            info = zipfile.ZipInfo(n, when)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, b)
    return filename
"#
    )
}

/// An sdist; `kind` is `static` (PKG-INFO lists Requires-Dist), `dynamic` (only the backend
/// knows them) or `failing` (dynamic, and the backend fails).
fn sdist_bytes(name: &str, version: &str, r: &Release, kind: &str) -> Vec<u8> {
    let dynamic = kind != "static";
    let dir = format!("{}-{version}", escape(name));
    let pkg_info = metadata(name, r, version, dynamic);
    let full = metadata(name, r, version, false);
    let requires: Vec<String> = r.build_requires.iter().map(|q| format!("{q:?}")).collect();
    let pyproject = format!(
        "[build-system]\nrequires = [{}]\nbuild-backend = \"fixture_backend\"\nbackend-path = [\".\"]\n",
        requires.join(", ")
    );
    let files = [
        (format!("{dir}/PKG-INFO"), pkg_info.into_bytes()),
        (
            format!("{dir}/pyproject.toml"),
            pyproject.as_bytes().to_vec(),
        ),
        (
            format!("{dir}/fixture_backend.py"),
            backend(name, version, &full, kind == "failing", r).into_bytes(),
        ),
    ];
    let format = r.sdist_format.as_deref().unwrap_or("tar.gz");
    if format == "zip" {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for (n, b) in &files {
            let opts = zip::write::SimpleFileOptions::default()
                .last_modified_time(zip::DateTime::default());
            z.start_file(n.as_str(), opts).unwrap();
            z.write_all(b).unwrap();
        }
        z.finish().unwrap();
        return buf.into_inner();
    }
    let mut tar = tar::Builder::new(Vec::new());
    for (n, b) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(b.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        tar.append_data(&mut h, n, b.as_slice()).unwrap();
    }
    let tar = tar.into_inner().unwrap();
    match format {
        "tar.gz" | "tgz" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&tar).unwrap();
            gz.finish().unwrap()
        }
        "tar" | "tar.bz2" => tar,
        other => panic!("unknown sdist-format {other:?}"),
    }
}

/// Builds every `*.toml` spec of `specs` into `out/files`.
pub fn build_index(specs: &Path, out: &Path) -> Built {
    let files_dir = out.join("files");
    std::fs::create_dir_all(&files_dir).unwrap();
    let mut built = Built {
        files_dir: files_dir.clone(),
        projects: BTreeMap::new(),
        files: BTreeMap::new(),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(specs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let spec: Spec = toml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let norm = escape(&spec.name).replace('_', "-");
        let list = built.projects.entry(norm).or_default();
        for r in &spec.release {
            let yanked = match &r.yanked {
                Some(toml::Value::Boolean(true)) => Some(String::new()),
                Some(toml::Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            let upload_time = r
                .upload_time
                .clone()
                .unwrap_or_else(|| "2024-01-01T00:00:00Z".into());
            let mut add = |filename: String, bytes: Vec<u8>, meta: Option<Vec<u8>>| {
                std::fs::write(files_dir.join(&filename), &bytes).unwrap();
                built.files.insert(
                    filename.clone(),
                    FileInfo {
                        sha256: sha256_bytes(&bytes),
                        size: bytes.len() as u64,
                        requires_python: r.requires_python.clone(),
                        yanked: yanked.clone(),
                        upload_time: upload_time.clone(),
                        metadata: meta,
                    },
                );
                list.push(filename);
            };
            for tag in &r.wheels {
                let meta = metadata(&spec.name, r, &r.version, false);
                let filename = format!("{}-{}-{tag}.whl", escape(&spec.name), r.version);
                add(
                    filename,
                    wheel_bytes(&spec.name, &r.version, tag, &meta, r),
                    Some(meta.into_bytes()),
                );
            }
            if let Some(kind) = &r.sdist {
                let filename = format!(
                    "{}-{}.{}",
                    escape(&spec.name),
                    r.version,
                    r.sdist_format.as_deref().unwrap_or("tar.gz")
                );
                add(filename, sdist_bytes(&spec.name, &r.version, r, kind), None);
            }
        }
    }
    built
}
