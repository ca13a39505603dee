//! `pinwheel dockerfile`: prints the Dockerfile install stage for a target, the wheelhouse
//! bind-mounted with BuildKit and installed with no index (see `wheelhouse::dockerfile`).

use std::path::PathBuf;

use clap::Args;

use super::{exit, CliError};
use crate::platform::Target;
use crate::wheelhouse::dockerfile::{self, Stage};
use crate::wheelhouse::{Manifest, MANIFEST};

#[derive(Args, Debug)]
pub struct DockerfileArgs {
    /// The image's target, as a Docker image (`python:3.12-slim`, `python:3.12-alpine@linux/arm64`)
    /// or, with --base, any spelling.
    #[arg(long = "target", short = 't', value_name = "TARGET")]
    pub target: String,
    /// The base image, when the target does not name one (e.g. `cp312-manylinux_2_39_x86_64`).
    #[arg(long, value_name = "IMAGE")]
    pub base: Option<String>,
    /// The wheelhouse directory, relative to the build context.
    #[arg(long, short = 'd', value_name = "DIR", default_value = "wheelhouse")]
    pub wheelhouse: PathBuf,
    /// Install in a first stage and copy only the venv into the final image.
    #[arg(long)]
    pub multi_stage: bool,
    /// The non-root user the image runs as.
    #[arg(long, value_name = "NAME", default_value = "app")]
    pub user: String,
}

pub fn run(args: DockerfileArgs) -> Result<u8, CliError> {
    let target = Target::parse(&args.target)
        .map_err(|e| CliError::usage(format!("--target {}: {e}", args.target)))?;
    // An image spelling has a tag or a registry path; an interpreter + platform tag has neither.
    let is_tag = !args.target.contains(':') && !args.target.contains('/');
    let image =
        match &args.base {
            Some(b) => b.clone(),
            None if is_tag => return Err(CliError::usage(format!(
                "--target {}: names no image to build FROM",
                args.target
            ))
            .hint(
                "name the image as the target (--target python:3.12-slim), or give --base IMAGE",
            )),
            // The image as spelt, without the Docker platform (buildx --platform chooses it).
            None => args
                .target
                .rsplit_once('@')
                .filter(|(_, p)| !p.starts_with("sha256:"))
                .map_or(args.target.as_str(), |(i, _)| i)
                .to_string(),
        };
    if image.contains("distroless") {
        return Err(CliError::usage(format!(
            "{image}: distroless images have no shell and no pip to run the install"
        ))
        .hint("build from the python: image of the same Debian release and Python, or copy a venv built there"));
    }
    if !matches!(target.docker_platform(), Some(p) if p.starts_with("linux/")) {
        return Err(CliError::usage(format!(
            "--target {}: not a Linux container target",
            args.target
        )));
    }
    let wheelhouse = args
        .wheelhouse
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    if wheelhouse.is_empty() || args.wheelhouse.is_absolute() || wheelhouse.contains("..") {
        return Err(CliError::usage(format!(
            "--wheelhouse {}: must be a directory inside the build context (a relative path)",
            args.wheelhouse.display()
        )));
    }
    // A wheelhouse already built for other targets would leave pip without wheels.
    if let Ok(bytes) = std::fs::read(args.wheelhouse.join(MANIFEST)) {
        if let Ok(m) = serde_json::from_slice::<Manifest>(&bytes) {
            if !m.targets.contains(&target.canonical()) {
                eprintln!(
                    "warning: {} was built for {}, not for {}: re-run `pinwheel wheelhouse` with --target {}",
                    args.wheelhouse.display(),
                    m.targets.join(", "),
                    target.canonical(),
                    args.target
                );
            }
        }
    }
    print!(
        "{}",
        dockerfile::render(&Stage {
            image: &image,
            target: &target,
            wheelhouse: &wheelhouse,
            user: &args.user,
            multi_stage: args.multi_stage,
        })
    );
    Ok(exit::OK)
}
