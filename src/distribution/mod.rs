//! Distributions: wheel and sdist filenames (PEP 427, 625), core metadata (PEP 566, 643) and
//! reading members of remote wheels by byte ranges.

pub mod filename;
pub mod hash;
pub mod metadata;
pub mod pep508;
pub mod requires_python;
pub mod retag;
pub mod tar_meter;
pub mod zip_ranges;

#[cfg(test)]
pub use filename::DistFilename;
pub use filename::SdistExtension;
pub use hash::{HashDigest, HashError};
pub use requires_python::RequiresPython;
