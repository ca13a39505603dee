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
