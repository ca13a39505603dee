//! `pinwheel dockerfile`: the printed stage is read by a real Dockerfile parser (the
//! `dockerfile-parse` package, in the test tools venv), and its pip command, run against a
//! wheelhouse built from the loopback index in a fresh venv, installs every pin with no index.

mod support;

use std::path::Path;
use std::process::Command as StdCommand;

use support::cli::pinwheel;
use support::{tools, FixtureIndex, IndexOptions};

fn dockerfile(dir: &Path, args: &[&str]) -> String {
    let out = pinwheel(dir).arg("dockerfile").args(args).output().unwrap();
    tools::ok("pinwheel dockerfile", &out)
}

/// The instructions as dockerfile-parse reads them: `(INSTRUCTION, value)`, and the base image.
fn parse(text: &str) -> Option<(Vec<(String, String)>, String)> {
    let Some(py) = tools::python_with("dockerfile_parse") else {
        tools::skip(
            "parsing the Dockerfile",
            "dockerfile-parse is not installed",
        );
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let out = StdCommand::new(py)
        .current_dir(dir.path())
        .args([
            "-c",
            "import json\nfrom dockerfile_parse import DockerfileParser\n\
             p = DockerfileParser(path='Dockerfile')\n\
             print(json.dumps({'base': p.baseimage, 'ins': [[i['instruction'], i['value']] for i in p.structure]}))",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&tools::ok("dockerfile-parse", &out)).unwrap();
    let ins = v["ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i[0].as_str().unwrap().to_string(),
                i[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Some((ins, v["base"].as_str().unwrap().to_string()))
}

fn values<'a>(ins: &'a [(String, String)], which: &str) -> Vec<&'a str> {
    ins.iter()
        .filter(|(i, _)| i == which)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn the_stage_parses_as_a_buildkit_install_without_root() {
    let dir = tempfile::tempdir().unwrap();
    let text = dockerfile(dir.path(), &["--target", "python:3.12-slim"]);
    let Some((ins, base)) = parse(&text) else {
        return;
    };
    assert_eq!(base, "python:3.12-slim");
    assert_eq!(values(&ins, "FROM"), ["python:3.12-slim"]);
    let env = values(&ins, "ENV").join(" ");
    assert!(env.contains("PYTHONDONTWRITEBYTECODE=1"), "{env}");
    let runs = values(&ins, "RUN");
    let install: Vec<&&str> = runs
        .iter()
        .filter(|r| r.contains("--mount=type=bind,source=wheelhouse,target=/wheels"))
        .collect();
    assert_eq!(install.len(), 1, "{runs:?}");
    assert!(
        install[0].contains("pip install --no-index --no-cache-dir -r /wheels/requirements.txt"),
        "{}",
        install[0]
    );
    assert!(values(&ins, "COPY").is_empty(), "nothing copied: {ins:?}");
    // The last USER is not root, and it exists: added by a RUN before it.
    let users = values(&ins, "USER");
    assert_eq!(users, ["app"]);
    let user_at = ins.iter().position(|(i, _)| i == "USER").unwrap();
    let install_at = ins
        .iter()
        .position(|(i, v)| i == "RUN" && v.contains("--mount"))
        .unwrap();
    assert!(install_at < user_at);
    assert!(ins[..user_at]
        .iter()
        .any(|(i, v)| i == "RUN" && v.contains("useradd") && v.contains("app")));

    // Multi-stage: the install stage is named, the final image copies the venv from it.
    let text = dockerfile(
        dir.path(),
        &[
            "--target",
            "python:3.12-alpine@linux/arm64",
            "--multi-stage",
            "-d",
            "wh",
        ],
    );
    let (ins, base) = parse(&text).unwrap();
    assert_eq!(base, "python:3.12-alpine");
    assert_eq!(
        values(&ins, "FROM"),
        ["python:3.12-alpine AS deps", "python:3.12-alpine"]
    );
    assert_eq!(values(&ins, "COPY"), ["--from=deps /opt/venv /opt/venv"]);
    assert!(values(&ins, "RUN")
        .iter()
        .any(|r| r.contains("source=wh,target=/wheels")));
    assert!(values(&ins, "RUN")
        .iter()
        .any(|r| r.starts_with("adduser -D")));
}

#[test]
fn a_tag_target_needs_a_base_image_and_distroless_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = pinwheel(dir.path())
        .args(["dockerfile", "--target", "cp312-manylinux_2_28_x86_64"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base"));
    let text = dockerfile(
        dir.path(),
        &[
            "--target",
            "cp312-manylinux_2_28_x86_64",
            "--base",
            "ubuntu-python:24.04",
        ],
    );
    assert!(text.contains("\nFROM ubuntu-python:24.04\n"), "{text}");
    let out = pinwheel(dir.path())
        .args([
            "dockerfile",
            "--target",
            "gcr.io/distroless/python3-debian12",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no shell"));
}

/// The RUN's pip command, with the mount and the venv mapped to a wheelhouse built here and a
/// fresh venv, installs every pin offline.
#[test]
fn its_pip_command_installs_the_wheelhouse_in_a_fresh_venv() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = String::from_utf8(pinwheel(dir.path()).arg("target").output().unwrap().stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    std::fs::write(dir.path().join("requirements.in"), "app\nnative\nabi3pkg\n").unwrap();
    let out = pinwheel(dir.path())
        .args([
            "lock",
            "requirements.in",
            "-o",
            "requirements.lock",
            "--no-cache",
        ])
        .args(["--index-url", &idx.url(), "--target", &host])
        .output()
        .unwrap();
    tools::ok("lock", &out);
    let out = pinwheel(dir.path())
        .args([
            "wheelhouse",
            "requirements.lock",
            "-d",
            "wheelhouse",
            "--no-cache",
        ])
        .output()
        .unwrap();
    tools::ok("wheelhouse", &out);
    // Printed for this machine's target (named by its tag, with a base image).
    let text = dockerfile(dir.path(), &["--target", &host, "--base", "python:3-slim"]);
    let run = text
        .split("\nRUN ")
        .find(|r| r.starts_with("--mount="))
        .expect("the install RUN");
    let command = run
        .split_once(" \\\n")
        .map(|(_, c)| c.trim())
        .unwrap()
        .lines()
        .next()
        .unwrap();
    let venv = dir.path().join("venv");
    let py = tools::fresh_venv(&venv);
    let command = command
        .replace("/opt/venv", venv.to_str().unwrap())
        .replace("/wheels", dir.path().join("wheelhouse").to_str().unwrap());
    let out = StdCommand::new("sh")
        .args(["-c", &command])
        .env("PIP_NO_INPUT", "1")
        .env_remove("PIP_FIND_LINKS")
        .env_remove("PIP_INDEX_URL")
        .output()
        .unwrap();
    tools::ok(&command, &out);
    let installed = tools::installed(&py);
    for p in [
        "abi3pkg==2.1.0",
        "app==1.0.0",
        "lib==1.2.0",
        "native==1.0.0",
    ] {
        assert!(installed.iter().any(|i| i == p), "{p} not in {installed:?}");
    }
}

/// The stand-in for `docker buildx build --platform linux/amd64,linux/arm64` (no Docker engine
/// runs on the test machines): one wheelhouse for several platforms, and per platform the
/// stage's own pip command, made to resolve as pip on that platform would (`--platform`,
/// `--python-version`, `--only-binary :all:`, a dry run): each platform installs every pin from
/// the same `requirements.txt`, hash-checked, taking the wheel of its own machine and libc.
#[test]
fn one_wheelhouse_serves_each_buildx_platform() {
    let Some(pip_py) = tools::python_with("pip") else {
        tools::skip(
            "one_wheelhouse_serves_each_buildx_platform",
            "the tools venv is missing",
        );
        return;
    };
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.in"),
        "lib\nabi3pkg\narmonly; platform_machine == 'aarch64'\n",
    )
    .unwrap();
    let images = [
        ("python:3.12-slim@linux/amd64", "x86_64", "manylinux"),
        ("python:3.12-slim@linux/arm64", "aarch64", "manylinux"),
        ("python:3.12-alpine@linux/amd64", "x86_64", "musllinux"),
    ];
    let mut lock = pinwheel(dir.path());
    lock.args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--index-url", &idx.url()]);
    for (image, ..) in images {
        lock.args(["--target", image]);
    }
    tools::ok("lock", &lock.output().unwrap());
    tools::ok(
        "wheelhouse",
        &pinwheel(dir.path())
            .args(["wheelhouse", "requirements.lock", "-d", "wheelhouse"])
            .arg("--no-cache")
            .output()
            .unwrap(),
    );
    let wheelhouse = dir.path().join("wheelhouse");
    for (image, machine, libc) in images {
        // The platform tag pip would see in that image: the target's own.
        let out = pinwheel(dir.path())
            .args(["target", image])
            .output()
            .unwrap();
        let tag = tools::ok("pinwheel target", &out)
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let platform = tag.split_once('-').unwrap().1.to_string();
        assert!(
            platform.starts_with(libc) && platform.ends_with(machine),
            "{tag}"
        );

        let text = dockerfile(dir.path(), &["--target", image]);
        let run = text
            .split("\nRUN ")
            .find(|r| r.starts_with("--mount="))
            .expect("the install RUN");
        let command = run.split_once(" \\\n").unwrap().1.trim();
        let command = command.lines().next().unwrap();
        let args: Vec<String> = command
            .strip_prefix("/opt/venv/bin/pip ")
            .unwrap_or_else(|| panic!("{command}"))
            .split_whitespace()
            .map(|a| a.replace("/wheels", wheelhouse.to_str().unwrap()))
            .collect();
        let report = dir.path().join(format!("report-{machine}-{libc}.json"));
        let out = StdCommand::new(&pip_py)
            .args(["-m", "pip"])
            .args(&args)
            .args(["--dry-run", "--only-binary=:all:"])
            .args(pip_platforms(&platform))
            .args(["--python-version", "3.12", "--implementation", "cp"])
            .arg("--target")
            .arg(dir.path().join("target"))
            .arg("--report")
            .arg(&report)
            .env("PIP_NO_INPUT", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env_remove("PIP_FIND_LINKS")
            .env_remove("PIP_INDEX_URL")
            .output()
            .unwrap();
        tools::ok(&format!("{image}: pip {}", args.join(" ")), &out);
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let picked: Vec<String> = report["install"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let url = i["download_info"]["url"].as_str().unwrap();
                url.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        // pip evaluates markers for the machine it runs on, not for --platform: armonly, needed
        // on aarch64 only, is left out of every dry run here; it is in the wheelhouse and the
        // requirements.txt selects it on aarch64.
        assert_eq!(picked.len(), 2, "{image}: {picked:?}");
        assert!(
            picked.contains(&"lib-1.2.0-py3-none-any.whl".to_string()),
            "{image}: {picked:?}"
        );
        let abi3 = picked
            .iter()
            .find(|f| f.starts_with("abi3pkg-"))
            .unwrap_or_else(|| panic!("{image}: {picked:?}"));
        assert!(
            abi3.contains(libc) && abi3.ends_with(&format!("_{machine}.whl")),
            "{image} took {abi3}"
        );
        for f in &picked {
            assert!(wheelhouse.join(f).exists(), "{f} is not in the wheelhouse");
        }
    }
    assert!(wheelhouse.join("armonly-1.0.0-py3-none-any.whl").exists());
    let reqs = std::fs::read_to_string(wheelhouse.join("requirements.txt")).unwrap();
    assert!(
        reqs.lines()
            .any(|l| l.starts_with("armonly==1.0.0") && l.contains("aarch64")),
        "{reqs}"
    );
}

/// `--platform` flags for what pip in an image of platform tag `platform` accepts: pip expands
/// no `manylinux_2_N` or `musllinux_1_N` tag to the older ones it implies, so all are named.
fn pip_platforms(platform: &str) -> Vec<String> {
    let (family, rest) = platform.split_once('_').unwrap();
    let mut parts = rest.splitn(3, '_');
    let (major, minor, machine) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse::<u32>().unwrap(),
        parts.next().unwrap(),
    );
    let mut out = Vec::new();
    for m in (0..=minor).rev() {
        out.push("--platform".to_string());
        out.push(format!("{family}_{major}_{m}_{machine}"));
    }
    if family == "manylinux" && minor >= 17 {
        out.push("--platform".to_string());
        out.push(format!("manylinux2014_{machine}"));
    }
    out
}
