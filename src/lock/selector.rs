//! The PEP 508 environment marker that selects exactly a subset of the lock's targets: the
//! smallest set of marker variables (python_version, sys_platform, platform_machine) whose values
//! tell the needed targets from the others. Pure.

use super::PinMarker;
use crate::platform::{selector_values, Target, SELECTOR_VARIABLES as VARIABLES};

/// `None` when every target needs the pin (no marker); otherwise a marker true on exactly the
/// `needed` targets (by index into `targets`). Targets with identical marker environments
/// (glibc and musl of one Python and architecture) cannot be told apart, and never need to be:
/// reachability is decided by markers alone.
pub fn marker_for(targets: &[Target], needed: &[usize]) -> Option<PinMarker> {
    let text = marker_text(targets, needed)?;
    // Built from the targets' own marker values: it parses, or the marker is wrong.
    Some(PinMarker::parse(&text).expect("a selector marker is valid PEP 508"))
}

fn marker_text(targets: &[Target], needed: &[usize]) -> Option<String> {
    if needed.len() == targets.len() {
        return None;
    }
    let subsets: [&[usize]; 7] = [&[0], &[1], &[2], &[0, 1], &[0, 2], &[1, 2], &[0, 1, 2]];
    let project = |t: &Target, vars: &[usize]| -> Vec<String> {
        let values = selector_values(t);
        vars.iter().map(|&i| values[i].clone()).collect()
    };
    for vars in subsets {
        let inside: Vec<Vec<String>> = needed.iter().map(|&i| project(&targets[i], vars)).collect();
        let outside: Vec<Vec<String>> = (0..targets.len())
            .filter(|i| !needed.contains(i))
            .map(|i| project(&targets[i], vars))
            .collect();
        if inside.iter().any(|v| outside.contains(v)) {
            continue;
        }
        let mut clauses: Vec<String> = Vec::new();
        for vals in &inside {
            let clause = vars
                .iter()
                .zip(vals)
                .map(|(&i, v)| format!("{} == '{}'", VARIABLES[i], v))
                .collect::<Vec<_>>()
                .join(" and ");
            if !clauses.contains(&clause) {
                clauses.push(clause);
            }
        }
        clauses.sort();
        if clauses.len() > 1 && vars.len() > 1 {
            return Some(
                clauses
                    .iter()
                    .map(|c| format!("({c})"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            );
        }
        return Some(clauses.join(" or "));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap()
    }

    #[test]
    fn all_targets_need_no_marker() {
        let ts = [
            t("cp312-manylinux_2_28_x86_64"),
            t("cp311-manylinux_2_28_x86_64"),
        ];
        assert_eq!(marker_for(&ts, &[0, 1]), None);
    }

    #[test]
    fn python_version_marker() {
        let ts = [
            t("cp311-manylinux_2_28_x86_64"),
            t("cp312-manylinux_2_28_x86_64"),
            t("cp313-manylinux_2_28_x86_64"),
        ];
        assert_eq!(
            marker_for(&ts, &[0, 1]).unwrap().as_str(),
            "python_version == '3.11' or python_version == '3.12'"
        );
    }

    #[test]
    fn machine_marker() {
        let ts = [
            t("cp312-manylinux_2_28_x86_64"),
            t("cp312-manylinux_2_28_aarch64"),
        ];
        assert_eq!(
            marker_for(&ts, &[1]).unwrap().as_str(),
            "platform_machine == 'aarch64'"
        );
    }

    #[test]
    fn combined_marker() {
        let ts = [
            t("cp311-manylinux_2_28_x86_64"),
            t("cp312-manylinux_2_28_x86_64"),
            t("cp311-manylinux_2_28_aarch64"),
            t("cp312-manylinux_2_28_aarch64"),
        ];
        assert_eq!(
            marker_for(&ts, &[0]).unwrap().as_str(),
            "python_version == '3.11' and platform_machine == 'x86_64'"
        );
    }
}
