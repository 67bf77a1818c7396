//! Putting a built site into a folder: a new or empty one, or one an earlier
//! `errata site` made, whose files (listed in its marker file) are replaced by
//! rename and those no longer part of the site removed; never writing through
//! a symbolic link it finds there, never touching a file it did not write.
//! Uses `store::write` (atomic writes) and `store::symbolic_link_in`.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use super::PublishError;
use super::site::Site;

/// The file `errata site` leaves in a folder it made, listing the files it
/// wrote, so a later run replaces exactly those and never touches anything else.
pub const MARKER: &str = ".errata-site";
const MARKER_HEADER: &str =
    "# Made by `errata site`; the files it wrote, so the next run can replace them.";

/// What [`write()`] did, as `errata site --json` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// The folder written, as given.
    pub out: String,
    pub files: usize,
    /// Files of an earlier run that the new site no longer has.
    pub removed: usize,
    /// The site's warnings (see [`Site::warnings`]).
    pub warnings: Vec<String>,
}

/// Whether a path from the marker file is one errata could have written: relative,
/// with no `..`, so cleaning up never reaches outside the site's folder.
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Replace each folder on the way to `rel` inside `out` that is a symbolic link
/// with a real folder, so a page is never written through a link into whatever
/// it points to. A link in the place of the file itself is replaced by the
/// atomic write's rename.
fn unlink_folders(out: &Path, rel: &str) -> std::io::Result<()> {
    while let Some(link) = crate::store::symbolic_link_in(out, rel).filter(|l| l != rel) {
        let at = out.join(&link);
        std::fs::remove_file(&at)?;
        std::fs::create_dir(&at)?;
    }
    Ok(())
}

/// Write the site into `out`: a new or empty folder, or one an earlier run of
/// `errata site` made (its files are replaced and those no longer part of the
/// site removed). Anything else is refused, so no one's files are overwritten.
pub fn write(site: &Site, out: &Path) -> Result<Written, PublishError> {
    let shown = out.display().to_string();
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| PublishError::Write { path, source }
    };
    let mut previous: Vec<String> = Vec::new();
    if out.exists() {
        if !out.is_dir() {
            return Err(PublishError::NotAFolder(shown));
        }
        let marker = out.join(MARKER);
        if marker.is_file() {
            let text = std::fs::read_to_string(&marker).map_err(io(&marker))?;
            previous = text
                .lines()
                .filter(|l| !l.starts_with('#') && is_inside(l))
                .map(str::to_owned)
                .collect();
        } else if std::fs::read_dir(out).map_err(io(out))?.next().is_some() {
            return Err(PublishError::NotASite(shown));
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let new: BTreeSet<&str> = site.files.iter().map(|(p, _)| p.as_str()).collect();
    for (rel, text) in &site.files {
        let path = out.join(rel);
        unlink_folders(out, rel).map_err(io(&path))?;
        crate::store::write::atomic(&path, text.as_bytes()).map_err(io(&path))?;
    }
    let mut removed = 0;
    for rel in previous.iter().filter(|p| !new.contains(p.as_str())) {
        let path = out.join(rel);
        // Through a linked folder the file is not the site's to remove.
        let through_link = crate::store::symbolic_link_in(out, rel).is_some_and(|l| l != *rel);
        if !through_link && std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&path).map_err(io(&path))?;
            removed += 1;
            // An episode folder left empty goes too; one holding anything else stays.
            if let Some(parent) = path.parent()
                && parent != out
            {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
    let mut marker = String::from(MARKER_HEADER);
    marker.push('\n');
    for p in &new {
        marker.push_str(p);
        marker.push('\n');
    }
    let marker_path = out.join(MARKER);
    crate::store::write::atomic(&marker_path, marker.as_bytes()).map_err(io(&marker_path))?;
    Ok(Written {
        out: shown,
        files: site.files.len(),
        removed,
        warnings: site.warnings.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_paths_never_leave_the_folder() {
        assert!(is_inside("top10-ai-2023/index.html"));
        assert!(is_inside("index.html"));
        assert!(!is_inside("../etc/passwd"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a/../../b"));
        assert!(!is_inside(""));
    }
}
