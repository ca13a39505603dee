//! Installs a wheel into an environment as an installer does, without pip: the PyPA "Binary
//! distribution format" (PEP 427, 491) and "Recording installed projects" (PEP 376, 627)
//! specifications, with the entry-point launchers of the "Entry points" specification.
//!
//! The archive's root goes to purelib or platlib as `Root-Is-Purelib` says; the
//! `{name}-{version}.data/` directories go to their scheme paths (`scripts` into `bin`, with a
//! `#!python` first line rewritten to the environment's Python, `purelib`, `platlib`, `headers`,
//! `data`); every file is checked against the wheel's `RECORD`; `console_scripts` and
//! `gui_scripts` get launchers; `INSTALLER` and a new `RECORD` listing what was installed
//! (paths relative to site-packages, hashes and sizes) are written into the `.dist-info`.
//! Blocking file IO on a wheel held in memory.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

/// Where an environment's files go (the install scheme's paths) and the Python its scripts run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    /// The headers base: a project's headers go in `headers/<project>/`, as pip does in a venv.
    pub headers: PathBuf,
    pub data: PathBuf,
    /// The interpreter scripts and launchers name in their `#!` line (where the environment will
    /// live, which may not be where it is being built).
    pub python: PathBuf,
}

/// What `INSTALLER` says installed the project.
pub const INSTALLER: &str = "pinwheel";

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{wheel} is not a valid wheel: {reason}")]
    Invalid { wheel: String, reason: WheelFault },
    #[error("{wheel}: {path}: {source}")]
    Io {
        wheel: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What is wrong with a wheel that is refused.
#[derive(Debug, thiserror::Error)]
pub enum WheelFault {
    #[error("cannot open the archive: {0}")]
    Archive(zip::result::ZipError),
    /// A member that cannot be read.
    #[error("{name}: {source}")]
    Member {
        name: String,
        source: std::io::Error,
    },
    #[error("member {index}: {source}")]
    MemberAt {
        index: usize,
        source: zip::result::ZipError,
    },
    #[error("no .dist-info/WHEEL at the top of the archive")]
    NoDistInfo,
    #[error("several .dist-info directories: {}", .0.join(", "))]
    SeveralDistInfo(Vec<String>),
    #[error("WHEEL has no Wheel-Version")]
    NoWheelVersion,
    #[error("Wheel-Version {0} is not supported (1.x is)")]
    WheelVersion(String),
    #[error("unsafe path {0}")]
    UnsafePath(String),
    #[error("{name}: a file directly in {data_dir}")]
    DataFile { name: String, data_dir: String },
    #[error("{name}: unknown scheme `{scheme}` in {data_dir}")]
    UnknownScheme {
        name: String,
        scheme: String,
        data_dir: String,
    },
    #[error("{name} does not match RECORD ({want}, the file has {have})")]
    Record {
        name: String,
        want: String,
        have: String,
    },
    #[error("entry_points.txt: `{0}` has no `=`")]
    EntryPointNoEquals(String),
    #[error("entry_points.txt: invalid entry point `{0}`")]
    EntryPoint(String),
}

/// What was installed: the `.dist-info` directory and the files recorded in `RECORD` (the
/// builds need only the files on disk; the tests check this account of them).
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Installed {
    pub dist_info: PathBuf,
    /// RECORD's paths (relative to purelib), in the order they were written.
    pub files: Vec<String>,
}

/// Installs the wheel `bytes` (named `filename`) into `layout`.
pub fn install_wheel(
    bytes: &[u8],
    filename: &str,
    layout: &Layout,
) -> Result<Installed, InstallError> {
    let invalid = |reason: WheelFault| InstallError::Invalid {
        wheel: filename.to_string(),
        reason,
    };
    let io = |path: &Path, source: std::io::Error| InstallError::Io {
        wheel: filename.to_string(),
        path: path.display().to_string(),
        source,
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(WheelFault::Archive(e)))?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let dist_info = find_dist_info(&names, filename).map_err(invalid)?;
    let data_dir = format!(
        "{}.data",
        dist_info.strip_suffix(".dist-info").unwrap_or(&dist_info)
    );
    let project = dist_info.split('-').next().unwrap_or("").to_string();
    let read_member = |zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str| {
        let member = |source: std::io::Error| {
            invalid(WheelFault::Member {
                name: name.to_string(),
                source,
            })
        };
        let mut f = zip
            .by_name(name)
            .map_err(|e| member(std::io::Error::other(e)))?;
        let mut out = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut out).map_err(member)?;
        Ok::<_, InstallError>(out)
    };
    let wheel_meta =
        String::from_utf8_lossy(&read_member(&mut zip, &format!("{dist_info}/WHEEL"))?)
            .into_owned();
    let root_is_purelib = check_wheel_file(&wheel_meta).map_err(invalid)?;
    let record_name = format!("{dist_info}/RECORD");
    let expected = parse_record(&String::from_utf8_lossy(&read_member(
        &mut zip,
        &record_name,
    )?));
    let root = if root_is_purelib {
        &layout.purelib
    } else {
        &layout.platlib
    };

    let mut record: Vec<(String, String, u64)> = Vec::new();
    let mut recorded = |dest: &Path, hash: String, size: u64| {
        record.push((record_path(dest, &layout.purelib), hash, size));
    };
    for index in 0..zip.len() {
        let mut member = zip
            .by_index(index)
            .map_err(|source| invalid(WheelFault::MemberAt { index, source }))?;
        let name = member.name().to_string();
        if member.is_dir() || name.ends_with('/') {
            continue;
        }
        if name == record_name
            || name == format!("{dist_info}/INSTALLER")
            || name.starts_with(&format!("{dist_info}/RECORD."))
        {
            // Rewritten below; RECORD.jws / RECORD.p7s sign the original RECORD only.
            continue;
        }
        let relative =
            safe_relative(&name).ok_or_else(|| invalid(WheelFault::UnsafePath(name.clone())))?;
        let dest = match name.strip_prefix(&format!("{data_dir}/")) {
            Some(rest) => {
                let (scheme, inner) = rest.split_once('/').ok_or_else(|| {
                    invalid(WheelFault::DataFile {
                        name: name.clone(),
                        data_dir: data_dir.clone(),
                    })
                })?;
                let inner = safe_relative(inner)
                    .ok_or_else(|| invalid(WheelFault::UnsafePath(name.clone())))?;
                let base = match scheme {
                    "scripts" => layout.scripts.clone(),
                    "purelib" => layout.purelib.clone(),
                    "platlib" => layout.platlib.clone(),
                    "headers" => layout.headers.join(&project),
                    "data" => layout.data.clone(),
                    other => {
                        return Err(invalid(WheelFault::UnknownScheme {
                            name: name.clone(),
                            scheme: other.to_string(),
                            data_dir: data_dir.clone(),
                        }))
                    }
                };
                (base.join(inner), scheme == "scripts")
            }
            None => (root.join(relative), false),
        };
        let (dest, is_script) = dest;
        let mut content = Vec::with_capacity(member.size() as usize);
        member.read_to_end(&mut content).map_err(|source| {
            invalid(WheelFault::Member {
                name: name.clone(),
                source,
            })
        })?;
        let hash = record_hash(&content);
        if let Some(Some(want)) = expected.get(name.as_str()) {
            if *want != hash {
                return Err(invalid(WheelFault::Record {
                    name,
                    want: want.clone(),
                    have: hash,
                }));
            }
        }
        let executable = is_script || member.unix_mode().is_some_and(|m| m & 0o111 != 0);
        let content = if is_script {
            rewrite_shebang(content, &layout.python)
        } else {
            content
        };
        write_file(&dest, &content, executable).map_err(|e| io(&dest, e))?;
        recorded(&dest, record_hash(&content), content.len() as u64);
    }

    let dist_info_dir = root.join(&dist_info);
    if let Ok(text) = std::fs::read_to_string(dist_info_dir.join("entry_points.txt")) {
        for script in entry_point_scripts(&text).map_err(invalid)? {
            let dest = layout.scripts.join(&script.name);
            let body = launcher(&script, &layout.python);
            write_file(&dest, body.as_bytes(), true).map_err(|e| io(&dest, e))?;
            recorded(&dest, record_hash(body.as_bytes()), body.len() as u64);
        }
    }
    let installer = dist_info_dir.join("INSTALLER");
    let text = format!("{INSTALLER}\n");
    write_file(&installer, text.as_bytes(), false).map_err(|e| io(&installer, e))?;
    recorded(&installer, record_hash(text.as_bytes()), text.len() as u64);

    let record_file = dist_info_dir.join("RECORD");
    let mut out = String::new();
    let mut files = Vec::new();
    for (path, hash, size) in &record {
        out.push_str(&format!("{},{hash},{size}\n", csv_field(path)));
        files.push(path.clone());
    }
    let own = record_path(&record_file, &layout.purelib);
    out.push_str(&format!("{},,\n", csv_field(&own)));
    files.push(own);
    write_file(&record_file, out.as_bytes(), false).map_err(|e| io(&record_file, e))?;
    Ok(Installed {
        dist_info: dist_info_dir,
        files,
    })
}

/// The wheel's `.dist-info` directory: the top-level one holding `WHEEL`, whose name matches the
/// file name's project when there are several.
fn find_dist_info(names: &[String], filename: &str) -> Result<String, WheelFault> {
    let dirs: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_suffix("/WHEEL"))
        .filter(|d| d.ends_with(".dist-info") && !d.contains('/'))
        .collect();
    let project = filename.split('-').next().unwrap_or("");
    match dirs.as_slice() {
        [] => Err(WheelFault::NoDistInfo),
        [one] => Ok(one.to_string()),
        many => many
            .iter()
            .find(|d| {
                crate::index::normalize(d.split('-').next().unwrap_or(""))
                    == crate::index::normalize(project)
            })
            .map(|d| d.to_string())
            .ok_or_else(|| {
                WheelFault::SeveralDistInfo(many.iter().map(|d| d.to_string()).collect())
            }),
    }
}

/// Checks `Wheel-Version` (major 1) and returns `Root-Is-Purelib`.
fn check_wheel_file(text: &str) -> Result<bool, WheelFault> {
    let field = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| v.trim().to_string())
        })
    };
    let version = field("Wheel-Version").ok_or(WheelFault::NoWheelVersion)?;
    if version.split('.').next() != Some("1") {
        return Err(WheelFault::WheelVersion(version));
    }
    Ok(field("Root-Is-Purelib").is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// RECORD's rows: path to its `sha256=` hash (`None` for rows without one).
fn parse_record(text: &str) -> HashMap<String, Option<String>> {
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields = csv_row(line);
        let Some(path) = fields.first() else { continue };
        let hash = fields.get(1).filter(|h| h.starts_with("sha256=")).cloned();
        out.insert(path.clone(), hash);
    }
    out
}

/// One CSV row (RECORD quotes a path holding a comma or a quote).
fn csv_row(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `sha256=<urlsafe base64, no padding>`, as RECORD spells hashes.
pub fn record_hash(bytes: &[u8]) -> String {
    format!(
        "sha256={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
    )
}

/// A member's path as a relative path with no `..`, root or prefix: `None` when it would
/// escape the directory it is unpacked into.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty() && !name.contains('\\')).then_some(out)
}

/// `path` relative to `base` (site-packages), with `..` where it lies elsewhere, `/`-separated.
fn record_path(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn write_file(dest: &Path, content: &[u8], executable: bool) -> std::io::Result<()> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // A file left by an earlier wheel (a shared namespace file) is replaced, as pip does.
    let _ = std::fs::remove_file(dest);
    std::fs::write(dest, content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

/// The `#!` line for `python`: itself, or a `/bin/sh` trampoline when the path is too long for
/// the kernel or holds a space (what pip's launchers do).
fn shebang(python: &Path) -> String {
    let p = python.display().to_string();
    if p.len() + 3 > 127 || p.contains(' ') {
        format!(
            "#!/bin/sh\n'''exec' '{}' \"$0\" \"$@\"\n' '''",
            p.replace('\'', "'\\''")
        )
    } else {
        format!("#!{p}")
    }
}

/// A `.data/scripts` file whose first line is `#!python` (or `#!pythonw`) runs the environment's
/// Python; others are kept as they are.
fn rewrite_shebang(content: Vec<u8>, python: &Path) -> Vec<u8> {
    let first_end = content
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(content.len());
    let first = &content[..first_end];
    let rest = first
        .strip_prefix(b"#!pythonw")
        .or_else(|| first.strip_prefix(b"#!python"));
    match rest {
        Some(args) if args.is_empty() || args[0] == b' ' || args == b"\r" => {
            let mut out = shebang(python).into_bytes();
            out.extend_from_slice(args.strip_suffix(b"\r").unwrap_or(args));
            out.extend_from_slice(&content[first_end..]);
            out
        }
        _ => content,
    }
}

/// A `console_scripts` or `gui_scripts` entry: `name = module:attr.path [extras]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryScript {
    pub name: String,
    pub module: String,
    /// `attr.path`, or empty when the entry names a module only.
    pub attr: String,
}

/// The scripts `entry_points.txt` asks for (`[console_scripts]` and `[gui_scripts]`).
pub fn entry_point_scripts(text: &str) -> Result<Vec<EntryScript>, WheelFault> {
    let mut out = Vec::new();
    let mut section = "";
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim();
            continue;
        }
        if section != "console_scripts" && section != "gui_scripts" {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| WheelFault::EntryPointNoEquals(line.to_string()))?;
        let name = name.trim();
        // Extras (`[x]`) once selected optional dependencies; installers ignore them now.
        let value = value.split('[').next().unwrap_or("").trim();
        let (module, attr) = value.split_once(':').unwrap_or((value, ""));
        let (module, attr) = (module.trim(), attr.trim());
        let dotted = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|p| {
                    !p.is_empty()
                        && p.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && !p.starts_with(|c: char| c.is_ascii_digit())
                })
        };
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name.starts_with('.')
            || !dotted(module)
            || !(attr.is_empty() || dotted(attr))
        {
            return Err(WheelFault::EntryPoint(line.to_string()));
        }
        out.push(EntryScript {
            name: name.to_string(),
            module: module.to_string(),
            attr: attr.to_string(),
        });
    }
    Ok(out)
}

/// The launcher pip and other installers write for an entry point.
pub fn launcher(script: &EntryScript, python: &Path) -> String {
    let (import, call) = if script.attr.is_empty() {
        (
            format!("import {}", script.module),
            format!("{}()", script.module),
        )
    } else {
        let first = script.attr.split('.').next().unwrap_or(&script.attr);
        (
            format!("from {} import {first}", script.module),
            format!("{}()", script.attr),
        )
    };
    format!(
        "{}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n{import}\nif __name__ == \"__main__\":\n    \
         sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    \
         sys.exit({call})\n",
        shebang(python)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A wheel built here: `(name, bytes, unix mode)` members; RECORD is computed unless given.
    fn wheel(files: &[(&str, &[u8], u32)], record: Option<&str>) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let mut rec = String::new();
        for (name, body, mode) in files {
            let opts = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
            z.start_file(*name, opts).unwrap();
            z.write_all(body).unwrap();
            rec.push_str(&format!("{name},{},{}\n", record_hash(body), body.len()));
        }
        let dist_info = files
            .iter()
            .find_map(|(n, _, _)| n.strip_suffix("/WHEEL"))
            .unwrap();
        rec.push_str(&format!("{dist_info}/RECORD,,\n"));
        z.start_file(
            format!("{dist_info}/RECORD"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(record.unwrap_or(&rec).as_bytes()).unwrap();
        z.finish().unwrap();
        buf.into_inner()
    }

    fn layout(root: &Path, platlib_apart: bool) -> Layout {
        let site = root.join("lib/python3.12/site-packages");
        Layout {
            platlib: if platlib_apart {
                root.join("lib64/python3.12/site-packages")
            } else {
                site.clone()
            },
            purelib: site,
            scripts: root.join("bin"),
            headers: root.join("include/site/python3.12"),
            data: root.to_path_buf(),
            python: root.join("bin/python"),
        }
    }

    const PURE_WHEEL: &[u8] =
        b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

    fn demo_wheel() -> Vec<u8> {
        wheel(
            &[
                ("demo/__init__.py", b"def main():\n    print('hi')\n", 0o644),
                ("demo/tool.sh", b"#!/bin/sh\necho tool\n", 0o755),
                (
                    "demo-1.0.dist-info/METADATA",
                    b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
                    0o644,
                ),
                ("demo-1.0.dist-info/WHEEL", PURE_WHEEL, 0o644),
                (
                    "demo-1.0.dist-info/entry_points.txt",
                    b"[console_scripts]\ndemo-cli = demo:main\nother = demo.sub:App.run [extra]\n\n[demo.plugins]\nx = demo:x\n",
                    0o644,
                ),
                (
                    "demo-1.0.data/scripts/demo-script",
                    b"#!python -u\nimport demo\n",
                    0o644,
                ),
                ("demo-1.0.data/scripts/plain.sh", b"#!/bin/sh\ntrue\n", 0o644),
                ("demo-1.0.data/headers/demo.h", b"int demo(void);\n", 0o644),
                ("demo-1.0.data/data/share/demo/readme.txt", b"data\n", 0o644),
                ("demo-1.0.data/platlib/demo_ext.py", b"X = 1\n", 0o644),
            ],
            None,
        )
    }

    #[test]
    fn installs_every_part_of_a_wheel_where_its_scheme_says() {
        let dir = tempfile::tempdir().unwrap();
        let l = layout(dir.path(), true);
        let installed = install_wheel(&demo_wheel(), "demo-1.0-py3-none-any.whl", &l).unwrap();
        let site = &l.purelib;
        assert_eq!(installed.dist_info, site.join("demo-1.0.dist-info"));
        assert!(site.join("demo/__init__.py").is_file(), "root is purelib");
        assert!(l.platlib.join("demo_ext.py").is_file(), ".data/platlib");
        assert!(l.headers.join("demo/demo.h").is_file(), ".data/headers");
        assert!(dir.path().join("share/demo/readme.txt").is_file(), "data");
        assert!(!site.join("demo-1.0.data").exists());
        let script = std::fs::read_to_string(l.scripts.join("demo-script")).unwrap();
        assert_eq!(
            script,
            format!("#!{} -u\nimport demo\n", l.python.display()),
            "#!python names the environment's Python"
        );
        let plain = std::fs::read_to_string(l.scripts.join("plain.sh")).unwrap();
        assert_eq!(plain, "#!/bin/sh\ntrue\n");
        let launcher = std::fs::read_to_string(l.scripts.join("demo-cli")).unwrap();
        assert!(launcher.starts_with(&format!("#!{}\n", l.python.display())));
        assert!(launcher.contains("from demo import main\n"), "{launcher}");
        assert!(launcher.contains("sys.exit(main())"), "{launcher}");
        let other = std::fs::read_to_string(l.scripts.join("other")).unwrap();
        assert!(other.contains("from demo.sub import App\n"), "{other}");
        assert!(other.contains("sys.exit(App.run())"), "{other}");
        assert!(!l.scripts.join("x").exists(), "only script groups");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(l.scripts.join("demo-cli")), 0o755);
            assert_eq!(mode(l.scripts.join("plain.sh")), 0o755);
            assert_eq!(mode(site.join("demo/tool.sh")), 0o755, "keeps the exec bit");
            assert_eq!(mode(site.join("demo/__init__.py")), 0o644);
        }
        assert_eq!(
            std::fs::read_to_string(installed.dist_info.join("INSTALLER")).unwrap(),
            "pinwheel\n"
        );
    }

    #[test]
    fn record_lists_what_was_installed_with_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let l = layout(dir.path(), true);
        let installed = install_wheel(&demo_wheel(), "demo-1.0-py3-none-any.whl", &l).unwrap();
        let record = std::fs::read_to_string(installed.dist_info.join("RECORD")).unwrap();
        let rows: HashMap<String, Vec<String>> = record
            .lines()
            .map(|l| {
                let f = csv_row(l);
                (f[0].clone(), f)
            })
            .collect();
        // Every row names a file that exists, with its hash and size as installed.
        for (path, fields) in &rows {
            let file = l.purelib.join(path);
            assert!(file.is_file(), "{path}");
            if path.ends_with("/RECORD") {
                assert_eq!(fields[1..], ["", ""]);
                continue;
            }
            let bytes = std::fs::read(&file).unwrap();
            assert_eq!(fields[1], record_hash(&bytes), "{path}");
            assert_eq!(fields[2], bytes.len().to_string(), "{path}");
        }
        for expected in [
            "demo/__init__.py",
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/INSTALLER",
            "demo-1.0.dist-info/RECORD",
            "../../../bin/demo-cli",
            "../../../bin/demo-script",
            "../../../include/site/python3.12/demo/demo.h",
            "../../../share/demo/readme.txt",
            "../../../lib64/python3.12/site-packages/demo_ext.py",
        ] {
            assert!(rows.contains_key(expected), "{expected} in\n{record}");
        }
        assert_eq!(rows.len(), installed.files.len());
        assert!(!record.contains(".data/"), "{record}");
    }

    #[test]
    fn root_is_purelib_false_installs_into_platlib() {
        let dir = tempfile::tempdir().unwrap();
        let l = layout(dir.path(), true);
        let bytes = wheel(
            &[
                ("native/__init__.py", b"", 0o644),
                (
                    "native-2.0.dist-info/WHEEL",
                    b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp312-cp312-linux_x86_64\n",
                    0o644,
                ),
                ("native-2.0.dist-info/METADATA", b"Name: native\n", 0o644),
            ],
            None,
        );
        let installed =
            install_wheel(&bytes, "native-2.0-cp312-cp312-linux_x86_64.whl", &l).unwrap();
        assert!(l.platlib.join("native/__init__.py").is_file());
        assert!(!l.purelib.join("native").exists());
        assert_eq!(installed.dist_info, l.platlib.join("native-2.0.dist-info"));
        assert!(installed
            .files
            .contains(&"../../../lib64/python3.12/site-packages/native/__init__.py".to_string()));
    }

    #[test]
    fn refuses_tampered_files_unsafe_paths_and_future_wheel_versions() {
        let dir = tempfile::tempdir().unwrap();
        let l = layout(dir.path(), false);
        let wheel_file = ("t-1.0.dist-info/WHEEL", PURE_WHEEL, 0o644);
        let tampered = wheel(
            &[("t/__init__.py", b"evil", 0o644), wheel_file],
            Some("t/__init__.py,sha256=AAAA,4\nt-1.0.dist-info/RECORD,,\n"),
        );
        let err = install_wheel(&tampered, "t-1.0-py3-none-any.whl", &l).unwrap_err();
        assert!(err.to_string().contains("does not match RECORD"), "{err}");
        let escaping = wheel(&[("../escape.py", b"x", 0o644), wheel_file], None);
        let err = install_wheel(&escaping, "t-1.0-py3-none-any.whl", &l).unwrap_err();
        assert!(err.to_string().contains("unsafe path"), "{err}");
        assert!(!dir.path().join("lib/python3.12/escape.py").exists());
        let future = wheel(
            &[("t-1.0.dist-info/WHEEL", b"Wheel-Version: 2.0\n", 0o644)],
            None,
        );
        let err = install_wheel(&future, "t-1.0-py3-none-any.whl", &l).unwrap_err();
        assert!(err.to_string().contains("Wheel-Version 2.0"), "{err}");
        let err = install_wheel(b"not a zip", "t-1.0-py3-none-any.whl", &l).unwrap_err();
        assert!(err.to_string().contains("not a valid wheel"), "{err}");
    }

    #[test]
    fn long_interpreter_paths_get_a_sh_trampoline() {
        assert_eq!(shebang(Path::new("/e/bin/python")), "#!/e/bin/python");
        let long = PathBuf::from(format!("/{}/bin/python", "x".repeat(130)));
        let s = shebang(&long);
        assert!(s.starts_with("#!/bin/sh\n'''exec' '/xxx"), "{s}");
        let spaced = shebang(Path::new("/my env/bin/python"));
        assert!(
            spaced.contains("'/my env/bin/python' \"$0\" \"$@\""),
            "{spaced}"
        );
    }

    #[test]
    fn entry_points_are_validated() {
        assert!(entry_point_scripts("[console_scripts]\nx = a b:c\n").is_err());
        assert!(entry_point_scripts("[console_scripts]\n../x = a:b\n").is_err());
        assert_eq!(
            entry_point_scripts("[console_scripts]\nrun = pkg.__main__\n").unwrap()[0],
            EntryScript {
                name: "run".into(),
                module: "pkg.__main__".into(),
                attr: String::new()
            }
        );
    }

    /// The launchers run in a real environment: a venv without pip, the wheel installed here.
    #[test]
    fn launchers_run_in_a_real_venv() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("env");
        let made = std::process::Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&env)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: python3 -m venv is not available");
            return;
        }
        let paths = std::process::Command::new(env.join("bin/python"))
            .args([
                "-c",
                "import sysconfig; p = sysconfig.get_paths(); print(p['purelib']); print(p['platlib'])",
            ])
            .output()
            .unwrap();
        let paths = String::from_utf8(paths.stdout).unwrap();
        let mut lines = paths.lines();
        let l = Layout {
            purelib: PathBuf::from(lines.next().unwrap()),
            platlib: PathBuf::from(lines.next().unwrap()),
            scripts: env.join("bin"),
            headers: env.join("include/site/python3"),
            data: env.clone(),
            python: env.join("bin/python"),
        };
        install_wheel(&demo_wheel(), "demo-1.0-py3-none-any.whl", &l).unwrap();
        let out = std::process::Command::new(env.join("bin/demo-cli"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
        let out = std::process::Command::new(env.join("bin/demo-script"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}
