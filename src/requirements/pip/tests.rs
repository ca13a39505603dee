use super::*;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, PackageName, VersionOrUrl};
use std::fs;
use std::str::FromStr;

fn parse(content: &str) -> RequirementsFile {
    RequirementsFile::parse_str(content, Path::new("requirements.in")).unwrap()
}

fn parse_err(content: &str) -> RequirementsError {
    RequirementsFile::parse_str(content, Path::new("requirements.in")).unwrap_err()
}

fn names(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.requirement.name.to_string())
        .collect()
}

fn hash(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

fn linux_env() -> MarkerEnvironment {
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: "3.12.4",
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: "3.12.4",
        python_version: "3.12",
        sys_platform: "linux",
    })
    .unwrap()
}

#[test]
fn pep508_lines_with_extras_versions_and_markers() {
    let file = parse(
        "requests[socks,security]>=2.31,<3\n\
         \n\
         numpy==1.26.4 ; python_version < \"3.13\"\n\
         tomli; python_version<'3.11'\n\
         Django\n",
    );
    assert_eq!(
        names(&file.requirements),
        ["requests", "numpy", "tomli", "django"]
    );
    let requests = &file.requirements[0].requirement;
    assert_eq!(
        requests
            .extras
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        ["socks", "security"]
    );
    let Some(VersionOrUrl::VersionSpecifier(spec)) = &requests.version_or_url else {
        panic!("expected version specifiers");
    };
    assert!(spec.contains(&"2.32.0".parse().unwrap()));
    assert!(!spec.contains(&"3.0".parse().unwrap()));
    // Markers are parsed and evaluate: tomli is only for Python < 3.11, numpy for < 3.13.
    assert!(!file.requirements[2]
        .requirement
        .evaluate_markers(&linux_env(), &[]));
    assert!(file.requirements[1]
        .requirement
        .evaluate_markers(&linux_env(), &[]));
    // Origins are 1-based physical lines, blank lines counted.
    let lines: Vec<usize> = file.requirements.iter().map(|e| e.origin.line).collect();
    assert_eq!(lines, [1, 3, 4, 5]);
    assert_eq!(file.requirements[1].origin.to_string(), "requirements.in:3");
    assert!(file.constraints.is_empty());
}

#[test]
fn comments_full_line_and_trailing_but_not_url_fragments() {
    let file = parse(
        "# a comment\n\
         \x20  # an indented comment\n\
         attrs==23.2.0  # pinned for reasons\n\
         idna==3.7\t# tab before the hash\n\
         wheelpkg @ https://example.org/files/wheelpkg-1.0-py3-none-any.whl#sha256=AABBccdd00112233445566778899aabbccddeeff00112233445566778899aabb # comment\n",
    );
    assert_eq!(names(&file.requirements), ["attrs", "idna", "wheelpkg"]);
    let Some(VersionOrUrl::Url(url)) = &file.requirements[2].requirement.version_or_url else {
        panic!("expected a URL");
    };
    assert_eq!(
        url.fragment(),
        Some("sha256=AABBccdd00112233445566778899aabbccddeeff00112233445566778899aabb")
    );
    assert_eq!(
        file.requirements[2]
            .url_fragment_hash()
            .map(|h| h.to_string())
            .as_deref(),
        Some("sha256:aabbccdd00112233445566778899aabbccddeeff00112233445566778899aabb")
    );
    assert_eq!(file.requirements[0].url_fragment_hash(), None);
}

#[test]
fn backslash_continuations_join_and_keep_first_line_number() {
    let file = parse(
        "# header\n\
         requests \\\n\
         \x20   >=2.0 \\\n\
         \x20   ; python_version >= \"3.8\"\n\
         six\n",
    );
    assert_eq!(names(&file.requirements), ["requests", "six"]);
    assert_eq!(file.requirements[0].origin.line, 2);
    assert_eq!(file.requirements[1].origin.line, 5);
    assert!(file.requirements[0]
        .requirement
        .evaluate_markers(&linux_env(), &[]));
    assert_eq!(
        file.requirements[0].requirement.to_string(),
        "requests>=2.0 ; python_full_version >= '3.8'"
    );
}

#[test]
fn a_comment_line_ends_a_continuation() {
    // pip never continues into a comment line: `# via` after a trailing backslash stays a comment.
    let file = parse("anyio==4.4.0 \\\n    # via httpx\nidna==3.7\n");
    assert_eq!(names(&file.requirements), ["anyio", "idna"]);
}

#[test]
fn continuation_at_end_of_file() {
    let file = parse(&format!("six==1.16.0 \\\n    --hash={}\\", hash('a')));
    assert_eq!(file.requirements[0].hashes, [hash('a')]);
}

#[test]
fn crlf_line_endings() {
    let file = parse(&format!(
        "# header\r\nsix==1.16.0 \\\r\n    --hash={}\r\nidna\r\n",
        hash('b')
    ));
    assert_eq!(names(&file.requirements), ["six", "idna"]);
    assert_eq!(file.requirements[0].hashes, [hash('b')]);
    assert_eq!(file.header_comments, ["header"]);
}

#[test]
fn index_and_binary_options() {
    let file = parse(
        "--index-url https://pypi.example.org/simple\n\
         -i https://mirror.example.org/simple/\n\
         --extra-index-url=https://extra.example.org/simple\n\
         --extra-index-url https://extra.example.org/simple\n\
         --extra-index-url https://other.example.org/simple\n\
         -f ./wheels\n\
         --find-links=https://example.org/links.html\n\
         --no-index\n\
         --pre\n\
         --only-binary :all:\n\
         --only-binary=numpy,scipy\n\
         --prefer-binary\n\
         --trusted-host pypi.example.org\n\
         --require-hashes\n\
         six\n",
    );
    assert_eq!(
        file.index_url.as_ref().map(Url::as_str),
        Some("https://mirror.example.org/simple/"),
        "the last --index-url wins"
    );
    assert_eq!(
        file.extra_index_urls
            .iter()
            .map(Url::as_str)
            .collect::<Vec<_>>(),
        [
            "https://extra.example.org/simple",
            "https://other.example.org/simple"
        ]
    );
    assert_eq!(
        file.find_links,
        ["./wheels", "https://example.org/links.html"]
    );
    assert!(file.no_index && file.pre && file.prefer_binary);
    assert_eq!(file.only_binary, [":all:", "numpy", "scipy"]);
    assert_eq!(names(&file.requirements), ["six"]);
}

#[test]
fn options_default_to_off() {
    let file = parse("six\n");
    assert_eq!(file.index_url, None);
    assert!(!file.no_index && !file.pre && !file.prefer_binary);
    assert!(file.extra_index_urls.is_empty() && file.find_links.is_empty());
    assert!(file.only_binary.is_empty());
}

#[test]
fn several_options_on_one_line_and_attached_short_values() {
    let file = parse("--pre --index-url=https://a.example.org/simple -fwheels\n");
    assert!(file.pre);
    assert_eq!(
        file.index_url.as_ref().map(Url::as_str),
        Some("https://a.example.org/simple")
    );
    assert_eq!(file.find_links, ["wheels"]);
}

#[test]
fn hashes_per_requirement_on_continuation_lines() {
    let upper = "C1B2D8F46A8A812513012E1107CB0E68C17159A7A594208005A57DC776E1BDC7";
    let file = parse(&format!(
        "anyio==4.4.0 --hash=sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94 \\\n\
         \x20   --hash sha256:{upper} \\\n\
         \x20   --hash=sha512:{}\n\
         idna==3.7\n",
        "0".repeat(128)
    ));
    let anyio = &file.requirements[0];
    assert_eq!(
        anyio.hashes,
        [
            "sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94".to_string(),
            format!("sha256:{}", upper.to_ascii_lowercase()),
            format!("sha512:{}", "0".repeat(128)),
        ]
    );
    assert!(file.requirements[1].hashes.is_empty());
}

#[test]
fn invalid_hashes_are_errors_naming_the_line() {
    for (value, needle) in [
        ("md5:d41d8cd98f00b204e9800998ecf8427e", "md5"),
        ("sha256:abc", "64 hex digits"),
        (&format!("sha256:{}", "z".repeat(64)), "hexadecimal"),
        ("deadbeef", "algorithm:hexdigest"),
    ] {
        let err = parse_err(&format!("\nsix==1.0 --hash={value}\n"));
        assert!(
            matches!(err, RequirementsError::InvalidHash { .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("requirements.in:2: invalid hash"),
            "{message}"
        );
        assert!(message.contains(needle), "{message}");
        assert!(err.hint().contains("sha256"));
    }
}

#[test]
fn hash_without_requirement_is_an_error() {
    let err = parse_err(&format!("--hash={}\n", hash('a')));
    assert!(matches!(
        err,
        RequirementsError::HashWithoutRequirement { .. }
    ));
    assert!(err.to_string().starts_with("requirements.in:1:"));
}

#[test]
fn file_options_after_a_requirement_are_errors() {
    let err = parse_err("six==1.0 --index-url https://example.org/simple\n");
    let RequirementsError::OptionOnRequirementLine { option, origin } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(option, "--index-url");
    assert_eq!(origin.line, 1);
}

#[test]
fn environment_variables_in_braces_are_expanded() {
    std::env::set_var("PINWHEEL_TEST_INDEX_HOST", "idx.example.org");
    std::env::set_var("PINWHEEL_TEST_VERSION", "1.16.0");
    let file = parse(
        "--index-url https://${PINWHEEL_TEST_INDEX_HOST}/simple\n\
         six==${PINWHEEL_TEST_VERSION}\n",
    );
    assert_eq!(
        file.index_url.as_ref().map(Url::as_str),
        Some("https://idx.example.org/simple")
    );
    assert_eq!(file.requirements[0].requirement.to_string(), "six==1.16.0");
}

#[test]
fn only_the_braced_uppercase_form_is_expanded_and_unset_stays() {
    std::env::set_var("PINWHEEL_TEST_SET", "x");
    assert_eq!(expand_env_vars("a${PINWHEEL_TEST_SET}b"), "axb");
    assert_eq!(
        expand_env_vars("${PINWHEEL_TEST_SURELY_UNSET_4711}"),
        "${PINWHEEL_TEST_SURELY_UNSET_4711}"
    );
    assert_eq!(expand_env_vars("$PINWHEEL_TEST_SET"), "$PINWHEEL_TEST_SET");
    assert_eq!(
        expand_env_vars("${pinwheel_test_set}"),
        "${pinwheel_test_set}"
    );
    assert_eq!(expand_env_vars("${"), "${");
    assert_eq!(expand_env_vars("${}${PINWHEEL_TEST_SET}"), "${}x");
}

#[test]
fn direct_references_to_wheels_and_sdists() {
    let file = parse(
        "mypkg @ https://files.example.org/mypkg-1.0-py3-none-any.whl\n\
         other[extra] @ https://files.example.org/other-2.0.tar.gz#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ; sys_platform == 'linux'\n\
         local @ file:///opt/wheels/local-1.0-py3-none-any.whl\n",
    );
    let urls: Vec<String> = file
        .requirements
        .iter()
        .map(|e| match &e.requirement.version_or_url {
            Some(VersionOrUrl::Url(url)) => url.to_string(),
            other => panic!("expected a URL, got {other:?}"),
        })
        .collect();
    assert_eq!(
        urls,
        [
            "https://files.example.org/mypkg-1.0-py3-none-any.whl",
            "https://files.example.org/other-2.0.tar.gz#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "file:///opt/wheels/local-1.0-py3-none-any.whl",
        ]
    );
    assert_eq!(
        file.requirements[1].requirement.name,
        PackageName::from_str("other").unwrap()
    );
    assert!(file.requirements[1]
        .requirement
        .evaluate_markers(&linux_env(), &[]));
    assert_eq!(
        file.requirements[1]
            .url_fragment_hash()
            .unwrap()
            .to_string(),
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn bare_urls_and_paths_need_a_name() {
    for line in [
        "https://files.example.org/mypkg-1.0-py3-none-any.whl",
        "https://user@files.example.org/mypkg-1.0.tar.gz",
        "file:///opt/mypkg-1.0.tar.gz",
        "./dist/mypkg-1.0-py3-none-any.whl",
        "../mypkg",
        "/abs/path/mypkg",
        "dist/mypkg",
        "mypkg-1.0.tar.gz",
        "mypkg-1.0-py3-none-any.whl",
    ] {
        let err = parse_err(&format!("six\n{line}\n"));
        let RequirementsError::UnnamedRequirement { origin, text } = &err else {
            panic!("{line}: {err:?}");
        };
        assert_eq!(origin.line, 2, "{line}");
        assert_eq!(text, line);
        assert!(err.to_string().starts_with("requirements.in:2:"));
        assert!(err.hint().contains("name @"), "{}", err.hint());
    }
}

#[test]
fn vcs_requirements_are_not_supported() {
    for line in [
        "git+https://github.com/org/repo.git@v1.0#egg=repo",
        "repo @ git+https://github.com/org/repo.git@v1.0",
        "repo@git+ssh://git@github.com/org/repo.git",
        "hg+https://hg.example.org/repo",
    ] {
        let err = parse_err(&format!("{line}\n"));
        assert!(
            matches!(err, RequirementsError::VcsRequirement { .. }),
            "{line}: {err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("requirements.in:1: VCS requirement"));
        assert!(err.hint().contains("released version"));
    }
}

#[test]
fn editables_are_not_supported() {
    for line in [
        "-e .",
        "--editable ./libs/mine",
        "-e git+https://github.com/org/repo.git#egg=repo",
        "--editable=.",
    ] {
        let err = parse_err(&format!("six\n\n{line}\n"));
        let RequirementsError::Editable { origin, .. } = &err else {
            panic!("{line}: {err:?}");
        };
        assert_eq!(origin.line, 3);
        assert!(err.to_string().contains("editable requirement"));
        assert!(err.hint().contains("wheel"));
    }
}

#[test]
fn unknown_options_are_named() {
    let err = parse_err("six\n--frobnicate yes\n");
    let RequirementsError::UnknownOption { option, origin } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(option, "--frobnicate");
    assert_eq!(origin.line, 2);
    assert_eq!(
        err.to_string(),
        "requirements.in:2: unknown option `--frobnicate`"
    );
    let err = parse_err("-x\n");
    assert!(matches!(&err, RequirementsError::UnknownOption { option, .. } if option == "-x"));
    // A flag does not take a value.
    let err = parse_err("--pre=yes\n");
    assert!(
        matches!(&err, RequirementsError::UnknownOption { option, .. } if option == "--pre=yes")
    );
}

#[test]
fn no_binary_lines_are_read() {
    let file = parse("--no-binary native,srcold\n--no-binary=:all:\nsix\n");
    assert_eq!(file.no_binary, ["native", "srcold", ":all:"]);
}

#[test]
fn unsupported_pip_options_are_named() {
    let err = parse_err("six --global-option=--fast\n");
    assert!(
        matches!(&err, RequirementsError::UnsupportedOption { option, origin, .. } if option == "--global-option" && origin.line == 1),
        "{err:?}"
    );
}

#[test]
fn options_need_values() {
    let err = parse_err("\n--index-url\n");
    let RequirementsError::MissingOptionValue { option, origin } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(option, "--index-url");
    assert_eq!(origin.line, 2);
    assert!(err.hint().contains("--index-url VALUE"));
    assert!(matches!(
        parse_err("-r\n"),
        RequirementsError::MissingOptionValue { .. }
    ));
}

#[test]
fn invalid_index_urls_are_errors() {
    let err = parse_err("--extra-index-url not-a-url\n");
    let RequirementsError::InvalidUrl { option, value, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(option, "--extra-index-url");
    assert_eq!(value, "not-a-url");
    assert!(err
        .to_string()
        .starts_with("requirements.in:1: invalid URL"));
}

#[test]
fn invalid_pep508_is_an_error_with_file_and_line() {
    let err = parse_err("six\nrequests>=2.0,<<3\n");
    let RequirementsError::InvalidRequirement {
        origin,
        text,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 2);
    assert_eq!(text, "requests>=2.0,<<3");
    assert!(!message.is_empty());
    assert!(err
        .to_string()
        .starts_with("requirements.in:2: invalid requirement `requests>=2.0,<<3`"));
    let err = parse_err("numpy ; python_version >> '3.8'\n");
    assert!(matches!(err, RequirementsError::InvalidRequirement { .. }));
}

#[test]
fn direct_reference_to_a_relative_path_is_an_error() {
    let err = parse_err("mypkg @ ./dist/mypkg-1.0-py3-none-any.whl\n");
    assert!(
        matches!(err, RequirementsError::InvalidRequirement { .. }),
        "{err:?}"
    );
    assert!(err.hint().contains("file:///"));
}

#[test]
fn remote_includes_are_errors() {
    for line in [
        "-r https://example.org/requirements.txt",
        "-c http://example.org/constraints.txt",
        "--requirement=file:///etc/reqs.txt",
    ] {
        let err = parse_err(&format!("{line}\n"));
        assert!(
            matches!(err, RequirementsError::RemoteInclude { .. }),
            "{line}: {err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("requirements.in:1: cannot include"));
    }
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, content).unwrap();
    path
}

#[test]
fn includes_are_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    let top = write(
        dir.path(),
        "requirements.in",
        "# top\nsix\n-r reqs/base.in\n--constraint=reqs/constraints.txt\nidna\n",
    );
    write(
        dir.path(),
        "reqs/base.in",
        "--extra-index-url https://extra.example.org/simple\nattrs\n-r more/deep.in\n",
    );
    write(dir.path(), "reqs/more/deep.in", "\n\ncertifi\n");
    write(
        dir.path(),
        "reqs/constraints.txt",
        &format!("urllib3<2 --hash={}\n-r ../extra.in\n", hash('c')),
    );
    write(dir.path(), "extra.in", "packaging\n");

    let file = RequirementsFile::from_path(&top).unwrap();
    // pip: a `-r` inside a constraints file still reads requirements.
    assert_eq!(
        names(&file.requirements),
        ["six", "attrs", "certifi", "packaging", "idna"]
    );
    assert_eq!(names(&file.constraints), ["urllib3"]);
    assert_eq!(file.constraints[0].hashes, [hash('c')]);
    assert_eq!(file.header_comments, ["top"]);
    assert_eq!(
        file.extra_index_urls[0].as_str(),
        "https://extra.example.org/simple"
    );
    let certifi = &file.requirements[2];
    assert_eq!(certifi.origin.path, dir.path().join("reqs/more/deep.in"));
    assert_eq!(certifi.origin.line, 3);
    assert_eq!(
        certifi.requirement.origin,
        Some(pep508_rs::RequirementOrigin::File(
            dir.path().join("reqs/more/deep.in")
        ))
    );
}

#[test]
fn attached_short_include_and_long_form() {
    let dir = tempfile::tempdir().unwrap();
    let top = write(dir.path(), "r.txt", "-rbase.txt\n-c=cons.txt\n");
    write(dir.path(), "base.txt", "six\n");
    write(dir.path(), "cons.txt", "six<2\n");
    let file = RequirementsFile::from_path(&top).unwrap();
    assert_eq!(names(&file.requirements), ["six"]);
    assert_eq!(names(&file.constraints), ["six"]);
}

#[test]
fn missing_include_names_the_including_line() {
    let dir = tempfile::tempdir().unwrap();
    let top = write(dir.path(), "requirements.in", "six\n-r missing.in\n");
    let err = RequirementsFile::from_path(&top).unwrap_err();
    let RequirementsError::IncludeRead { origin, path, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 2);
    assert_eq!(path, &dir.path().join("missing.in"));
    let message = err.to_string();
    assert!(
        message.contains("requirements.in:2: cannot read included file"),
        "{message}"
    );
    assert!(message.contains("missing.in"));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn missing_top_level_file_is_a_read_error() {
    let err = RequirementsFile::from_path(Path::new("/nonexistent/pinwheel/requirements.in"))
        .unwrap_err();
    assert!(matches!(err, RequirementsError::Read { .. }));
    assert!(err
        .to_string()
        .contains("/nonexistent/pinwheel/requirements.in"));
}

#[test]
fn include_cycles_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.in", "six\n-r sub/b.in\n");
    write(dir.path(), "sub/b.in", "idna\n\n-c ../a.in\n");
    let err = RequirementsFile::from_path(&a).unwrap_err();
    let RequirementsError::IncludeCycle { origin, chain, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.path, dir.path().join("sub/b.in"));
    assert_eq!(origin.line, 3);
    assert_eq!(chain.len(), 3);
    assert!(err.to_string().contains("cycle"));

    let selfish = write(dir.path(), "self.in", "-r self.in\n");
    assert!(matches!(
        RequirementsFile::from_path(&selfish).unwrap_err(),
        RequirementsError::IncludeCycle { .. }
    ));
}

#[test]
fn the_same_file_twice_is_not_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let top = write(dir.path(), "top.in", "-r a.in\n-r b.in\n");
    write(dir.path(), "a.in", "-r common.in\n");
    write(dir.path(), "b.in", "-r common.in\n");
    write(dir.path(), "common.in", "six\n");
    let file = RequirementsFile::from_path(&top).unwrap();
    assert_eq!(names(&file.requirements), ["six", "six"]);
}

const ANYIO_A: &str = "5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94";
const ANYIO_B: &str = "c1b2d8f46a8a812513012e1107cb0e68c17159a7a594208005a57dc776e1bdc7";

#[test]
fn reads_a_uv_lock_file() {
    let content = format!(
        "# This file was autogenerated by uv via the following command:\n\
         #    uv pip compile requirements.in --generate-hashes -o requirements.txt\n\
         anyio==4.4.0 \\\n\
         \x20   --hash=sha256:{ANYIO_A} \\\n\
         \x20   --hash=sha256:{ANYIO_B}\n\
         \x20   # via httpx\n\
         certifi==2024.7.4 \\\n\
         \x20   --hash={c}\n\
         \x20   # via\n\
         \x20   #   httpcore\n\
         \x20   #   httpx\n\
         httpx==0.27.0 \\\n\
         \x20   --hash={d}\n\
         \x20   # via -r requirements.in\n\
         pywin32==306 ; sys_platform == 'win32' \\\n\
         \x20   --hash={e} \\\n\
         \x20   --hash={f}\n\
         \x20   # via -r requirements.in\n",
        c = hash('c'),
        d = hash('d'),
        e = hash('e'),
        f = hash('f'),
    );
    let file = RequirementsFile::parse_str(&content, Path::new("requirements.txt")).unwrap();
    assert_eq!(
        file.header_comments,
        [
            "This file was autogenerated by uv via the following command:",
            "   uv pip compile requirements.in --generate-hashes -o requirements.txt",
        ]
    );
    assert_eq!(
        names(&file.requirements),
        ["anyio", "certifi", "httpx", "pywin32"]
    );
    assert_eq!(
        file.requirements[0].hashes,
        [format!("sha256:{ANYIO_A}"), format!("sha256:{ANYIO_B}")]
    );
    assert_eq!(file.requirements[3].hashes, [hash('e'), hash('f')]);
    assert_eq!(
        file.requirements
            .iter()
            .map(|e| e.origin.line)
            .collect::<Vec<_>>(),
        [3, 7, 12, 15]
    );
    let pywin32 = &file.requirements[3].requirement;
    assert!(!pywin32.evaluate_markers(&linux_env(), &[]));
    let Some(VersionOrUrl::VersionSpecifier(spec)) = &pywin32.version_or_url else {
        panic!("expected a pin");
    };
    assert_eq!(spec.to_string(), "==306");
}

#[test]
fn reads_a_pip_compile_lock_file() {
    let content = format!(
        "#\n\
         # This file is autogenerated by pip-compile with Python 3.12\n\
         # by the following command:\n\
         #\n\
         #    pip-compile --generate-hashes --output-file=requirements.txt requirements.in\n\
         #\n\
         --index-url https://pypi.example.org/simple\n\
         --extra-index-url https://extra.example.org/simple\n\
         \n\
         anyio==4.4.0 \\\n\
         \x20   --hash=sha256:{ANYIO_A} \\\n\
         \x20   --hash=sha256:{ANYIO_B}\n\
         \x20   # via httpx\n\
         httpx[http2]==0.27.0 \\\n\
         \x20   --hash={d}\n\
         \x20   # via -r requirements.in\n\
         pywin32==306 ; sys_platform == \"win32\" \\\n\
         \x20   --hash={e}\n\
         \x20   # via\n\
         \x20   #   -r requirements.in\n\
         \x20   #   portalocker\n\
         \n\
         # The following packages are considered to be unsafe in a requirements file:\n\
         setuptools==70.3.0 \\\n\
         \x20   --hash={f}\n\
         \x20   # via -r requirements.in\n",
        d = hash('d'),
        e = hash('e'),
        f = hash('f'),
    );
    let file = RequirementsFile::parse_str(&content, Path::new("requirements.txt")).unwrap();
    assert_eq!(
        file.header_comments,
        [
            "",
            "This file is autogenerated by pip-compile with Python 3.12",
            "by the following command:",
            "",
            "   pip-compile --generate-hashes --output-file=requirements.txt requirements.in",
            "",
        ]
    );
    assert_eq!(
        file.index_url.as_ref().map(Url::as_str),
        Some("https://pypi.example.org/simple")
    );
    assert_eq!(file.extra_index_urls.len(), 1);
    assert_eq!(
        names(&file.requirements),
        ["anyio", "httpx", "pywin32", "setuptools"]
    );
    assert_eq!(file.requirements[1].requirement.extras.len(), 1);
    assert_eq!(file.requirements[1].hashes, [hash('d')]);
    assert_eq!(file.requirements[3].hashes, [hash('f')]);
    assert_eq!(file.requirements[3].origin.line, 24);
}

#[test]
fn pinwheel_header_comments_read_back() {
    let file = parse(
        "# This file was generated by pinwheel.\n\
         # targets: cp312-manylinux_2_36_x86_64, cp312-musllinux_1_2_x86_64\n\
         \n\
         six==1.16.0\n\
         # not part of the header\n",
    );
    assert_eq!(
        file.header_comments,
        [
            "This file was generated by pinwheel.",
            "targets: cp312-manylinux_2_36_x86_64, cp312-musllinux_1_2_x86_64",
        ]
    );
}

#[test]
fn quoted_option_values() {
    assert_eq!(
        shell_split(r#"--find-links "my wheels" -f 'other dir' x\ y"#),
        ["--find-links", "my wheels", "-f", "other dir", "x y"]
    );
    let file = parse("--find-links \"my wheels\"\n");
    assert_eq!(file.find_links, ["my wheels"]);
}

#[test]
fn every_error_has_a_hint() {
    let errors = [
        parse_err("--frobnicate\n"),
        parse_err("-e .\n"),
        parse_err("git+https://x.example.org/r.git\n"),
        parse_err("https://x.example.org/a.whl\n"),
        parse_err("a<<1\n"),
    ];
    for err in errors {
        assert!(!err.hint().is_empty());
        assert_eq!(err.path(), Path::new("requirements.in"));
    }
}

#[test]
fn non_ascii_text_is_an_error_not_a_panic() {
    // A multi-byte character where an ASCII prefix is probed (`file:`): once a panic.
    for line in ["idna≥3", "reqü", "é", "requésts==1.0", "≥"] {
        let err = parse_err(&format!("{line}\n"));
        assert!(err.to_string().contains("requirements.in"), "{line}: {err}");
    }
}
