use super::*;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, VersionOrUrl};
use std::io::Write;

fn env(sys_platform: &str, python: &str) -> MarkerEnvironment {
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: python,
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: python,
        python_version: &python[..4],
        sys_platform,
    })
    .unwrap()
}

const HTTPX: &str = "Metadata-Version: 2.3\r\n\
Name: httpx\r\n\
Version: 0.27.0\r\n\
Summary: The next generation HTTP client.\r\n\
Project-URL: Changelog, https://github.com/encode/httpx/blob/master/CHANGELOG.md\r\n\
Author-email: Tom Christie <tom@tomchristie.com>\r\n\
License-Expression: BSD-3-Clause\r\n\
Classifier: Programming Language :: Python :: 3\r\n\
Requires-Python: >=3.8\r\n\
Requires-Dist: anyio\r\n\
Requires-Dist: certifi\r\n\
Requires-Dist: httpcore==1.*\r\n\
Requires-Dist: idna\r\n\
Requires-Dist: sniffio\r\n\
Provides-Extra: brotli\r\n\
Requires-Dist: brotli; (platform_python_implementation == 'CPython') and extra == 'brotli'\r\n\
Requires-Dist: brotlicffi; (platform_python_implementation != 'CPython') and extra == 'brotli'\r\n\
Provides-Extra: http2\r\n\
Requires-Dist: h2<5,>=3; extra == 'http2'\r\n\
Provides-Extra: socks\r\n\
Requires-Dist: socksio==1.*; extra == 'socks'\r\n\
Description-Content-Type: text/markdown\r\n\
\r\n\
# HTTPX\r\n\
Requires-Dist: not-a-header-this-is-the-body\r\n";

#[test]
fn parses_a_real_world_metadata_file() {
    let meta = CoreMetadata::parse(HTTPX.as_bytes()).unwrap();
    assert_eq!(meta.metadata_version, "2.3");
    assert_eq!(meta.name.to_string(), "httpx");
    assert_eq!(meta.version, Version::from_str("0.27.0").unwrap());
    let names: Vec<String> = meta
        .requires_dist
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    // The body after the blank line is not read.
    assert_eq!(
        names,
        [
            "anyio",
            "certifi",
            "httpcore",
            "idna",
            "sniffio",
            "brotli",
            "brotlicffi",
            "h2",
            "socksio"
        ]
    );
    assert!(meta
        .requires_python
        .as_ref()
        .unwrap()
        .contains(&Version::from_str("3.12").unwrap()));
    assert!(!meta
        .requires_python
        .as_ref()
        .unwrap()
        .contains(&Version::from_str("3.7").unwrap()));
    assert_eq!(
        meta.provides_extras
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        ["brotli", "http2", "socks"]
    );
    assert!(meta.dynamic.is_empty());
    assert!(meta.has_static_requires_dist());
}

#[test]
fn requires_dist_markers_and_extras_evaluate() {
    let meta = CoreMetadata::parse(HTTPX.as_bytes()).unwrap();
    let linux = env("linux", "3.12.4");
    let http2 = ExtraName::from_str("http2").unwrap();
    let h2 = meta
        .requires_dist
        .iter()
        .find(|r| r.name.as_ref() == "h2")
        .unwrap();
    assert!(!h2.evaluate_markers(&linux, &[]));
    assert!(h2.evaluate_markers(&linux, &[http2]));
    let Some(VersionOrUrl::VersionSpecifier(spec)) = &h2.version_or_url else {
        panic!("expected specifiers");
    };
    assert!(spec.contains(&Version::from_str("4.1.0").unwrap()));
    assert!(!spec.contains(&Version::from_str("5.0").unwrap()));
    let brotli = ExtraName::from_str("brotli").unwrap();
    let cffi = &meta.requires_dist[6];
    assert!(!cffi.evaluate_markers(&linux, &[brotli]));
}

#[test]
fn extras_on_requirements_are_kept() {
    let meta = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: Some.Pkg\nVersion: 1.0\n\
          Requires-Dist: uvicorn[standard]>=0.12; extra == \"all\"\n\
          Requires-Dist: pywin32>=306; sys_platform == \"win32\" and python_version >= \"3.8\"\n",
    )
    .unwrap();
    assert_eq!(meta.name.to_string(), "some-pkg");
    assert_eq!(meta.requires_dist[0].extras[0].to_string(), "standard");
    assert!(!meta.requires_dist[1].evaluate_markers(&env("linux", "3.12.4"), &[]));
    assert!(meta.requires_dist[1].evaluate_markers(&env("win32", "3.12.4"), &[]));
}

#[test]
fn continuation_lines_and_unknown_headers() {
    let meta = CoreMetadata::parse(
        b"Metadata-Version: 2.1\n\
          Name: folded\n\
          Version: 2.0\n\
          Description: first line\n\
          \x20       |second line\n\
          \x20       |third line\n\
          X-Custom-Header: whatever\n\
          Requires-Dist: requests\n\
          \x20 >=2.0\n\
          Requires-Dist: six\n",
    )
    .unwrap();
    assert_eq!(meta.requires_dist.len(), 2);
    assert_eq!(meta.requires_dist[0].to_string(), "requests>=2.0");
    assert_eq!(meta.requires_dist[1].to_string(), "six");
}

#[test]
fn header_names_are_case_insensitive() {
    let meta = CoreMetadata::parse(
        b"metadata-version: 2.2\nNAME: x\nversion: 1\nrequires-dist: six\nDYNAMIC: license\n",
    )
    .unwrap();
    assert_eq!(meta.requires_dist.len(), 1);
    assert_eq!(meta.dynamic, ["license"]);
    assert!(meta.has_static_requires_dist());
}

#[test]
fn pep643_static_requires_dist() {
    let parse = |text: &str| CoreMetadata::parse(text.as_bytes()).unwrap();
    // 2.1 predates PEP 643: nothing in an sdist can be trusted.
    assert!(
        !parse("Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: six\n")
            .has_static_requires_dist()
    );
    assert!(
        parse("Metadata-Version: 2.2\nName: a\nVersion: 1\nRequires-Dist: six\n")
            .has_static_requires_dist()
    );
    let dynamic = parse(
        "Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Summary\nDynamic: requires-dist\n",
    );
    assert_eq!(dynamic.dynamic, ["Summary", "requires-dist"]);
    assert!(!dynamic.has_static_requires_dist());
    assert!(
        parse("Metadata-Version: 2.4\nName: a\nVersion: 1\nDynamic: Requires-Python\n")
            .has_static_requires_dist()
    );
    assert!(parse("Metadata-Version: 2.10\nName: a\nVersion: 1\n").has_static_requires_dist());
    assert!(!parse("Metadata-Version: 1.2\nName: a\nVersion: 1\n").has_static_requires_dist());
}

#[test]
fn missing_required_fields() {
    for (text, field) in [
        ("Name: a\nVersion: 1\n", "Metadata-Version"),
        ("Metadata-Version: 2.1\nVersion: 1\n", "Name"),
        ("Metadata-Version: 2.1\nName: a\n", "Version"),
        // A header after the blank line is body text.
        ("Metadata-Version: 2.1\nName: a\n\nVersion: 1\n", "Version"),
    ] {
        let err = CoreMetadata::parse(text.as_bytes()).unwrap_err();
        assert!(
            matches!(err, MetadataError::MissingField { field: f } if f == field),
            "{text:?}: {err:?}"
        );
        assert!(err.to_string().contains(field));
    }
}

#[test]
fn invalid_requires_dist_names_the_line() {
    let err = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: six\nRequires-Dist: foo ~~ 1\n",
    )
    .unwrap_err();
    let MetadataError::InvalidField {
        line, field, value, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (*line, *field, value.as_str()),
        (5, "Requires-Dist", "foo ~~ 1")
    );
    assert!(err
        .to_string()
        .starts_with("core metadata line 5: invalid Requires-Dist `foo ~~ 1`"));
}

#[test]
fn invalid_version_and_requires_python_name_the_line() {
    let err = CoreMetadata::parse(b"Metadata-Version: 2.1\nName: a\nVersion: not a version\n")
        .unwrap_err();
    assert!(matches!(
        err,
        MetadataError::InvalidField {
            line: 3,
            field: "Version",
            ..
        }
    ));
    let err = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=three\n",
    )
    .unwrap_err();
    assert!(matches!(
        err,
        MetadataError::InvalidField {
            line: 4,
            field: "Requires-Python",
            ..
        }
    ));
    let err = CoreMetadata::parse(b"Metadata-Version: two\nName: a\nVersion: 1\n").unwrap_err();
    assert!(matches!(
        err,
        MetadataError::InvalidField {
            line: 1,
            field: "Metadata-Version",
            ..
        }
    ));
}

#[test]
fn legacy_requires_dist_forms_are_repaired() {
    let meta = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: legacy\nVersion: 1\n\
          Requires-Dist: elasticsearch-dsl (>=7.2.0<8.0.0)\n\
          Requires-Dist: numpy (>=1.16.*)\n\
          Requires-Dist: pyyaml (>=3.10,)\n\
          Requires-Dist: tqdm ~=4 ; python_version >= \"3.6\"\n\
          Requires-Dist: click[extra] >= 7.0 , < 9.0.\n\
          Requires-Python: >=3.6.*\n",
    )
    .unwrap();
    let specs: Vec<String> = meta
        .requires_dist
        .iter()
        .map(|r| r.version_or_url.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        specs,
        [">=7.2.0, <8.0.0", ">=1.16", ">=3.10", ">=4", ">=7.0, <9.0"]
    );
    assert_eq!(meta.requires_dist[4].extras[0].to_string(), "extra");
    assert!(!meta.requires_dist[3].marker.is_true());
    assert_eq!(meta.requires_python.unwrap().to_string(), ">=3.6");
}

#[test]
fn valid_requirements_are_not_rewritten() {
    // `==1.*` is valid and must stay a wildcard.
    assert_eq!(
        parse_requires_dist("httpcore==1.*").unwrap().to_string(),
        "httpcore==1.*"
    );
    assert_eq!(
        lenient_specifiers("!=3.0.*, >=2.7").unwrap(),
        "!=3.0.*,>=2.7"
    );
    assert_eq!(
        lenient_requirement("foo @ https://x.example.org/f.whl"),
        None
    );
}

#[test]
fn invalid_utf8_is_tolerated() {
    let mut bytes = b"Metadata-Version: 2.1\nName: a\nVersion: 1\nAuthor: ".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    bytes.extend_from_slice(b"Requires-Dist: six\n");
    let meta = CoreMetadata::parse(&bytes).unwrap();
    assert_eq!(meta.requires_dist.len(), 1);
}

#[test]
fn invalid_provides_extra_is_skipped() {
    let meta = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\nProvides-Extra: not valid!\nProvides-Extra: Ok_Extra\nProvides-Extra: ok-extra\n",
    )
    .unwrap();
    assert_eq!(meta.provides_extras.len(), 1);
    assert_eq!(meta.provides_extras[0].to_string(), "ok-extra");
}

const PKG_INFO: &str = "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: six\n";
const NESTED_PKG_INFO: &str =
    "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: wrong\n";

fn build_tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn sdist_pkg_info_from_tar_gz() {
    let bytes = build_tar_gz(&[
        ("demo-1.0/src/demo.egg-info/PKG-INFO", NESTED_PKG_INFO),
        (
            "demo-1.0/setup.py",
            "from setuptools import setup\nsetup()\n",
        ),
        ("demo-1.0/PKG-INFO", PKG_INFO),
    ]);
    let found = read_sdist_pkg_info(&bytes, "demo-1.0.tar.gz")
        .unwrap()
        .unwrap();
    assert_eq!(found, PKG_INFO.as_bytes());
    let meta = CoreMetadata::parse(&found).unwrap();
    assert_eq!(meta.requires_dist[0].name.to_string(), "six");
    assert!(meta.has_static_requires_dist());

    // `.tgz` is the same format.
    assert!(read_sdist_pkg_info(&bytes, "demo-1.0.tgz")
        .unwrap()
        .is_some());
}

#[test]
fn sdist_with_dot_slash_paths() {
    let bytes = build_tar_gz(&[("./demo-1.0/PKG-INFO", PKG_INFO)]);
    assert_eq!(
        read_sdist_pkg_info(&bytes, "demo-1.0.tar.gz")
            .unwrap()
            .unwrap(),
        PKG_INFO.as_bytes()
    );
}

#[test]
fn sdist_without_top_level_pkg_info() {
    let bytes = build_tar_gz(&[
        ("demo-1.0/src/demo.egg-info/PKG-INFO", NESTED_PKG_INFO),
        ("PKG-INFO", PKG_INFO),
    ]);
    assert_eq!(
        read_sdist_pkg_info(&bytes, "demo-1.0.tar.gz").unwrap(),
        None
    );
}

#[test]
fn sdist_pkg_info_from_zip() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer
        .start_file("demo-1.0/demo.egg-info/PKG-INFO", options)
        .unwrap();
    writer.write_all(NESTED_PKG_INFO.as_bytes()).unwrap();
    writer.start_file("demo-1.0/PKG-INFO", options).unwrap();
    writer.write_all(PKG_INFO.as_bytes()).unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    assert_eq!(
        read_sdist_pkg_info(&bytes, "demo-1.0.zip")
            .unwrap()
            .unwrap(),
        PKG_INFO.as_bytes()
    );
}

#[test]
fn sdist_archive_errors() {
    let err = read_sdist_pkg_info(b"not gzip at all", "demo-1.0.tar.gz").unwrap_err();
    assert!(matches!(err, MetadataError::Archive { .. }));
    assert!(err.to_string().contains("demo-1.0.tar.gz"));
    let err = read_sdist_pkg_info(b"not a zip", "demo-1.0.zip").unwrap_err();
    assert!(matches!(err, MetadataError::Archive { .. }));
    let err = read_sdist_pkg_info(b"", "demo-1.0.tar.bz2").unwrap_err();
    assert!(matches!(err, MetadataError::UnsupportedArchive { .. }));
}

#[test]
fn whitespace_only_continuation_lines_do_not_end_the_headers() {
    // pandas 2.3.3's METADATA: a License field whose paragraphs are separated by lines of spaces.
    let text = "Metadata-Version: 2.1\nName: pandas\nVersion: 2.3.3\nLicense: BSD 3-Clause License\n         \n         Copyright (c) 2008\n         \nRequires-Dist: pytz>=2020.1\nRequires-Dist: tzdata>=2022.7\n\nBody: not a header\n";
    let meta = CoreMetadata::parse(text.as_bytes()).unwrap();
    let names: Vec<String> = meta
        .requires_dist
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    assert_eq!(names, ["pytz", "tzdata"]);
}

#[test]
fn provided_extras_from_the_field_or_from_markers() {
    let meta = CoreMetadata::parse(
        b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nProvides-Extra: Fast\n\
          Requires-Dist: idna; extra == 'legacy' and sys_platform == 'linux'\n\
          Requires-Dist: anyio; python_version >= '3.8'\n",
    )
    .unwrap();
    let extra = |s: &str| ExtraName::from_str(s).unwrap();
    assert!(meta.provides_extra(&extra("fast")));
    assert!(meta.provides_extra(&extra("legacy")));
    assert!(!meta.provides_extra(&extra("nosuch")));
}

#[test]
fn an_sdist_member_with_a_header_past_its_bound_is_refused_not_held() {
    // A GNU long name of 2 MiB (a few KiB compressed) before PKG-INFO: the tar crate reads a
    // long name whole into memory, so it is refused at its bound instead.
    let long = format!("demo-1.0/{}", "n".repeat(2 << 20));
    let mut tar = tar::Builder::new(Vec::new());
    for (path, body) in [
        (long.as_str(), &b"x"[..]),
        ("demo-1.0/PKG-INFO", b"Name: demo\n"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        tar.append_data(&mut h, path, body).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
    let gz = gz.finish().unwrap();
    assert!(gz.len() < 64 << 10, "{}", gz.len());
    let err = read_sdist_pkg_info(&gz, "demo-1.0.tar.gz").unwrap_err();
    assert!(matches!(err, MetadataError::Archive { .. }), "{err}");
    assert!(err.to_string().contains("demo-1.0.tar.gz"), "{err}");
    assert!(err.to_string().contains("pass 1024 KiB; refused"), "{err}");
}
