//! The parsers pinwheel runs on bytes it did not write, each driven as the binary drives it:
//! shared by the property tests (`tests/properties.rs`) and the fuzz targets (`fuzz/`). Each
//! function takes any bytes and must return without panicking; errors are expected.
#![allow(dead_code)]

use std::path::Path;

use pinwheel::distribution::filename::{DistFilename, PackageName, SdistFilename, WheelFilename};
use pinwheel::distribution::metadata::{read_sdist_file_from, CoreMetadata};
use pinwheel::distribution::zip_ranges;
use pinwheel::index::auth::Credentials;
use pinwheel::index::simple;
use pinwheel::lock::{header_targets, pylock, recorded, Lock, LockOptions};
use pinwheel::platform::Target;
use pinwheel::requirements::{decode_text, PyProject, RequirementsFile};

/// An sdist's top-level PKG-INFO, as the index client reads it.
pub fn read_sdist_pkg_info(
    bytes: &[u8],
    filename: &str,
) -> Result<Option<Vec<u8>>, pinwheel::distribution::metadata::MetadataError> {
    read_sdist_file_from(std::io::Cursor::new(bytes), filename, "PKG-INFO")
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A requirements file or a lock, as `lock`, `wheelhouse` and `check` read them.
pub fn requirements_or_lock(bytes: &[u8]) {
    let Ok(text) = decode_text(bytes.to_vec()) else {
        return;
    };
    let path = Path::new("/nonexistent-pinwheel-dir/requirements.lock");
    if pylock::looks_like_pylock(&text) {
        let _ = pylock::parse(&text, path, true);
        let _ = pylock::parse(&text, path, false);
    }
    let Ok(file) = RequirementsFile::parse_str(&text, path) else {
        return;
    };
    let _ = LockOptions::from_requirements(&file);
    let _ = header_targets(&file.header_comments);
    let _ = recorded(&file.header_comments);
    for require_hashes in [true, false] {
        if let Ok(lock) = Lock::from_requirements(&file, require_hashes) {
            let _ = lock.render(true);
        }
    }
}

pub fn pyproject(bytes: &[u8]) {
    let Ok(text) = decode_text(bytes.to_vec()) else {
        return;
    };
    let Ok(project) =
        PyProject::parse_str(&text, Path::new("/nonexistent-pinwheel-dir/pyproject.toml"))
    else {
        return;
    };
    let _ = project.tool_config();
    let extras = project.extras();
    let groups = project.groups();
    let _ = project.requirements(&[], false, &[]);
    let _ = project.requirements(&extras, true, &groups);
    let _ = project.requirements(&["nope".into()], false, &["nope".into()]);
}

pub fn pylock_toml(bytes: &[u8]) {
    let text = lossy(bytes);
    for require_hashes in [true, false] {
        let _ = pylock::parse(&text, Path::new("pylock.toml"), require_hashes);
    }
}

pub fn index_page(bytes: &[u8]) {
    let base = url::Url::parse("https://user:token@example.org/simple/demo/").unwrap();
    let file_base = url::Url::parse("file:///srv/wheels/").unwrap();
    for base in [&base, &file_base] {
        for page in [
            simple::parse_json(bytes, base),
            simple::parse_html(&lossy(bytes), base),
        ] {
            let Ok(page) = page else { continue };
            for f in &page.files {
                let _ = f.url();
                let _ = simple::fragment_hash(&f.url());
                let _ = DistFilename::parse(&f.filename, &PackageName::new("demo".into()).unwrap());
                if let Some(rp) = &f.requires_python {
                    let _ = rp.admits(&"3.12.1".parse().unwrap());
                }
            }
        }
    }
    let _ = simple::redact_text(&lossy(bytes));
    let _ = simple::parse_timestamp(&lossy(bytes));
}

pub fn filename(bytes: &[u8]) {
    let name = lossy(bytes);
    if let Ok(w) = WheelFilename::parse(&name) {
        let _ = w.is_pure();
        let _ = w.tags().count();
        for target in [
            "cp312-manylinux_2_28_x86_64",
            "cp313-musllinux_1_2_aarch64",
            "cp311-win_amd64",
        ] {
            let _ = Target::parse(target).unwrap().wheel_priority(&w);
        }
    }
    let project = name.split(['-', '_']).next().unwrap_or("");
    for project in [project, "demo"] {
        if let Ok(p) = PackageName::new(project.to_string()) {
            let _ = SdistFilename::parse(&name, &p);
            let _ = DistFilename::parse(&name, &p);
            let _ = pinwheel::distribution::filename::version_part(&name, project);
        }
    }
    let _ = pinwheel::distribution::SdistExtension::split(&name);
    let _ = pinwheel::distribution::filename::normalize(&name);
    let _ = pinwheel::distribution::HashDigest::from_fragment(&name);
    let _ = pinwheel::distribution::RequiresPython::new(name.clone())
        .map(|r| r.admits(&"3.12".parse().unwrap()));
}

pub fn metadata(bytes: &[u8]) {
    if let Ok(m) = CoreMetadata::parse(bytes) {
        let _ = m.has_static_requires_dist();
        let _ = m.provides_extra(&"test".parse().unwrap());
    }
}

pub fn zip(bytes: &[u8]) {
    let _ = zip_ranges::read_metadata_from_whole(bytes, Some("demo-1.0"));
    let _ = zip_ranges::read_metadata_from_whole(bytes, None);
    // As the range reader does: the tail, then the central directory, then one member.
    let tail_start = bytes.len().saturating_sub(4096);
    if let Ok(cd) = zip_ranges::locate_central_directory(&bytes[tail_start..], tail_start as u64) {
        let start = usize::try_from(cd.offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let end = usize::try_from(cd.offset.saturating_add(cd.size))
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        if let Ok(entries) = zip_ranges::parse_central_directory(&bytes[start..end.max(start)]) {
            for entry in &entries {
                let _ = zip_ranges::member_fetch_len(entry);
                let from = usize::try_from(entry.local_header_offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let _ = zip_ranges::read_member(entry, &bytes[from..]);
            }
            let _ = zip_ranges::find_metadata(&entries, Some("demo-1.0"));
        }
    }
    let _ = read_sdist_pkg_info(bytes, "demo-1.0.zip");
    let _ = pinwheel::distribution::retag::wheel_info(bytes);
}

pub fn sdist(bytes: &[u8]) {
    for name in [
        "demo-1.0.tar.gz",
        "demo-1.0.tar",
        "demo-1.0.zip",
        "demo-1.0.tgz",
    ] {
        let _ = read_sdist_pkg_info(bytes, name);
    }
}

pub fn netrc(bytes: &[u8]) {
    let mut creds = Credentials::default();
    creds.parse_netrc(&lossy(bytes));
    for url in [
        "https://a.example/simple/",
        "http://127.0.0.1:8080/x",
        "file:///x",
    ] {
        let _ = creds.for_url(&url::Url::parse(url).unwrap());
    }
}

pub fn target(bytes: &[u8]) {
    if let Ok(t) = Target::parse(&lossy(bytes)) {
        let _ = t.canonical();
        let _ = t.tags();
        let _ = t.marker_env();
    }
}
