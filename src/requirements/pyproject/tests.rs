use super::*;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

const PYPROJECT: &str = r#"[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "My_App"
version = "1.0"
requires-python = ">=3.10"
dependencies = [
    "httpx>=0.27",
    "pywin32 ; sys_platform == 'win32'",
]

[project.optional-dependencies]
Postgres = ["psycopg[binary]>=3.1"]
redis = ["redis>=5"]
all = ["my-app[postgres,redis]"]
windows-extra = ["my_app[redis] ; sys_platform == 'win32'"]

[dependency-groups]
test = ["pytest>=8", {include-group = "typing"}]
typing = ["mypy==1.10.0"]
Dev_Tools = [
    {include-group = "test"},
    "ruff",
]

[tool.pinwheel]
targets = ["python:3.12-slim", "python:3.12-alpine"]
index-url = "https://pypi.example.org/simple"
extra-index-urls = ["https://extra.example.org/simple"]
exclude-newer = "2024-06-01"
only-binary = [":all:"]

[tool.other]
anything = 1
"#;

fn project() -> PyProject {
    PyProject::parse_str(PYPROJECT, Path::new("pyproject.toml")).unwrap()
}

fn names(entries: &[RequirementLine]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.requirement.name.to_string())
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn env(sys_platform: &str) -> MarkerEnvironment {
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
        sys_platform,
    })
    .unwrap()
}

#[test]
fn project_fields() {
    let p = project();
    assert_eq!(p.name.as_ref().unwrap().to_string(), "my-app");
    assert!(p
        .requires_python
        .as_ref()
        .unwrap()
        .contains(&"3.12".parse().unwrap()));
    assert_eq!(p.extras(), ["all", "postgres", "redis", "windows-extra"]);
    assert_eq!(p.groups(), ["dev-tools", "test", "typing"]);
}

#[test]
fn dependencies_only_with_lines() {
    let entries = project().requirements(&[], false, &[]).unwrap();
    assert_eq!(names(&entries), ["httpx", "pywin32"]);
    assert_eq!(entries[0].origin, FileLine::new("pyproject.toml", 10));
    assert_eq!(entries[1].origin.line, 11);
    assert!(!entries[1].requirement.evaluate_markers(&env("linux"), &[]));
    assert!(entries.iter().all(|e| e.hashes.is_empty()));
}

#[test]
fn chosen_extras_are_normalized_and_deduplicated() {
    let entries = project()
        .requirements(&strings(&["POSTGRES", "redis", "postgres"]), false, &[])
        .unwrap();
    assert_eq!(names(&entries), ["httpx", "pywin32", "psycopg", "redis"]);
    assert_eq!(entries[2].origin.line, 15);
    assert_eq!(entries[2].requirement.extras[0].to_string(), "binary");
}

#[test]
fn self_referencing_extras_expand() {
    let entries = project()
        .requirements(&strings(&["all"]), false, &[])
        .unwrap();
    assert_eq!(names(&entries), ["httpx", "pywin32", "psycopg", "redis"]);

    // The self-reference's marker is added to the expanded requirements.
    let entries = project()
        .requirements(&strings(&["windows-extra"]), false, &[])
        .unwrap();
    assert_eq!(names(&entries), ["httpx", "pywin32", "redis"]);
    assert!(!entries[2].requirement.evaluate_markers(&env("linux"), &[]));
    assert!(entries[2].requirement.evaluate_markers(&env("win32"), &[]));
}

#[test]
fn all_extras() {
    let entries = project().requirements(&[], true, &[]).unwrap();
    // all → postgres, redis; postgres and redis again are not repeated; windows-extra adds
    // redis under a marker.
    assert_eq!(
        names(&entries),
        ["httpx", "pywin32", "psycopg", "redis", "redis"]
    );
    assert!(entries[3].requirement.marker.is_true());
    assert!(!entries[4].requirement.marker.is_true());
}

#[test]
fn unknown_extra_lists_the_available_ones() {
    let err = project()
        .requirements(&strings(&["mysql"]), false, &[])
        .unwrap_err();
    assert!(matches!(err, RequirementsError::UnknownExtra { .. }));
    assert_eq!(
        err.to_string(),
        "pyproject.toml: unknown extra `mysql`; available extras: all, postgres, redis, windows-extra"
    );
    assert!(err.hint().contains("optional-dependencies"));
}

#[test]
fn groups_with_include_group_in_order() {
    let entries = project()
        .requirements(&[], false, &strings(&["dev-tools"]))
        .unwrap();
    assert_eq!(
        names(&entries),
        ["httpx", "pywin32", "pytest", "mypy", "ruff"]
    );
    assert_eq!(entries[2].origin.line, 21);
    assert_eq!(entries[3].origin.line, 22);
    assert_eq!(entries[4].origin.line, 25);

    let entries = project()
        .requirements(&[], false, &strings(&["typing", "TEST"]))
        .unwrap();
    assert_eq!(
        names(&entries),
        ["httpx", "pywin32", "mypy", "pytest", "mypy"]
    );
}

#[test]
fn unknown_group_lists_the_available_ones() {
    let err = project()
        .requirements(&[], false, &strings(&["docs"]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "pyproject.toml: unknown dependency group `docs`; available groups: dev-tools, test, typing"
    );
}

#[test]
fn include_group_cycles_are_errors() {
    let content = r#"
[project]
name = "x"
version = "1"

[dependency-groups]
a = ["six", {include-group = "b"}]
b = [{include-group = "c"}]
c = ["idna", {include-group = "A"}]
"#;
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    let err = p.requirements(&[], false, &strings(&["a"])).unwrap_err();
    let RequirementsError::GroupCycle { origin, cycle } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(cycle, &strings(&["a", "b", "c", "a"]));
    assert_eq!(origin.line, 9);
    assert_eq!(
        err.to_string(),
        "pyproject.toml:9: dependency groups include each other in a cycle: a -> b -> c -> a"
    );
}

#[test]
fn unknown_include_group_is_an_error_with_line() {
    let content = "[dependency-groups]\nx = [\n  {include-group = \"nope\"},\n]\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    let err = p.requirements(&[], false, &strings(&["x"])).unwrap_err();
    assert!(matches!(
        err,
        RequirementsError::UnknownIncludedGroup { .. }
    ));
    assert!(err
        .to_string()
        .starts_with("pyproject.toml:3: `include-group = \"nope\"` names an unknown group"));
}

#[test]
fn groups_without_a_project_table() {
    let content = "[dependency-groups]\ndev = [\"ruff\"]\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    assert_eq!(p.name, None);
    let entries = p.requirements(&[], false, &strings(&["dev"])).unwrap();
    assert_eq!(names(&entries), ["ruff"]);
    let err = p.requirements(&[], false, &[]).unwrap_err();
    assert!(matches!(err, RequirementsError::NoProject { .. }));
    assert!(err.hint().contains("[project]"));
}

#[test]
fn duplicate_normalized_group_names_are_errors() {
    let content = "[dependency-groups]\nfoo_bar = []\nFoo-Bar = []\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    assert!(matches!(err, RequirementsError::DuplicateGroup { .. }));
}

#[test]
fn invalid_requirement_names_the_line() {
    let content =
        "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\n  \"ok\",\n  \"bad>>1\",\n]\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    let err = p.requirements(&[], false, &[]).unwrap_err();
    let RequirementsError::InvalidRequirement { origin, text, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 6);
    assert_eq!(text, "bad>>1");
    assert!(err
        .to_string()
        .starts_with("pyproject.toml:6: invalid requirement"));
}

#[test]
fn invalid_toml_names_the_line() {
    let content = "[project]\nname = \"x\"\ndependencies = [\"a\",\n  oops\n]\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    let RequirementsError::InvalidPyProject { origin, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 4);

    // A wrong type is reported where it is.
    let content = "[project]\nname = \"x\"\n\ndependencies = \"requests\"\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    let RequirementsError::InvalidPyProject { origin, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 4);
}

#[test]
fn dynamic_dependencies_cannot_be_read() {
    let content = "[project]\nname = \"x\"\ndynamic = [\"version\", \"dependencies\"]\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    let err = p.requirements(&[], false, &[]).unwrap_err();
    let RequirementsError::DynamicField { origin, field } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(field, "dependencies");
    assert_eq!(origin.line, 3);
    assert!(err.hint().contains("requirements.in"));

    let content =
        "[project]\nname = \"x\"\ndependencies = []\ndynamic = [\"optional-dependencies\"]\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    assert!(p.requirements(&[], false, &[]).unwrap().is_empty());
    assert!(matches!(
        p.requirements(&[], true, &[]),
        Ok(v) if v.is_empty()
    ));
}

#[test]
fn tool_config() {
    let config = project().tool_config();
    assert_eq!(config.targets, ["python:3.12-slim", "python:3.12-alpine"]);
    assert_eq!(
        config.index_url.as_ref().map(Url::as_str),
        Some("https://pypi.example.org/simple")
    );
    assert_eq!(
        config
            .extra_index_urls
            .iter()
            .map(Url::as_str)
            .collect::<Vec<_>>(),
        ["https://extra.example.org/simple"]
    );
    assert_eq!(config.exclude_newer.as_deref(), Some("2024-06-01"));
    assert_eq!(config.only_binary, [":all:"]);
}

#[test]
fn exclude_newer_as_a_bare_toml_date() {
    let content = "[tool.pinwheel]\nexclude-newer = 2024-06-01T12:00:00Z\n";
    let p = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap();
    assert_eq!(
        p.tool_config().exclude_newer.as_deref(),
        Some("2024-06-01T12:00:00Z")
    );
    let content = "[tool.pinwheel]\n\nexclude-newer = 7\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    assert!(
        matches!(err, RequirementsError::InvalidPyProject { ref origin, problem: PyProjectProblem::ExcludeNewerType("integer") } if origin.line == 3),
        "{err:?}"
    );
}

#[test]
fn tool_config_defaults_when_absent() {
    let p = PyProject::parse_str("[project]\nname = \"x\"\n", Path::new("pyproject.toml")).unwrap();
    assert_eq!(p.tool_config(), ToolConfig::default());
}

#[test]
fn tool_config_errors() {
    let content = "[tool.pinwheel]\ntargets = [\"python:3.12\"]\nextra-index-url = [\"https://x.example.org\"]\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    let RequirementsError::InvalidPyProject {
        origin,
        problem: problem @ PyProjectProblem::Toml(_),
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 3);
    let message = problem.to_string();
    assert!(message.contains("extra-index-url"), "{message}");

    let content = "[tool.pinwheel]\n\nindex-url = \"pypi\"\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    let RequirementsError::InvalidUrl { origin, option, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin.line, 3);
    assert_eq!(option, "tool.pinwheel.index-url");

    let content = "[tool.pinwheel]\ntargets = \"python:3.12\"\n";
    let err = PyProject::parse_str(content, Path::new("pyproject.toml")).unwrap_err();
    assert!(
        matches!(err, RequirementsError::InvalidPyProject { ref origin, .. } if origin.line == 2)
    );
}

#[test]
fn from_path_reads_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pyproject.toml");
    std::fs::write(&path, PYPROJECT).unwrap();
    let p = PyProject::from_path(&path).unwrap();
    let entries = p.requirements(&[], false, &[]).unwrap();
    assert_eq!(entries[0].origin.path, path);
    assert!(matches!(
        PyProject::from_path(&dir.path().join("missing.toml")),
        Err(RequirementsError::Read { .. })
    ));
}

#[test]
fn group_name_normalization() {
    assert_eq!(normalize_group("Dev__Tools.x"), "dev-tools-x");
    assert_eq!(normalize_group("a-_-b"), "a-b");
}
