//! Distributions: wheel and sdist filenames (PEP 427, 625) and core metadata (PEP 566, 643).

pub mod filename;

pub use filename::{
    DistFilename, FilenameError, PackageName, SdistExtension, SdistFilename, Version, WheelFilename,
};
