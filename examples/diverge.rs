//! Two editors' divergent work on clones of one fact-check repository, for
//! `benches/sync.sh`.
//!
//! ```text
//! cargo run --release --example diverge -- CLONE_A CLONE_B [--commits 1000]
//!     [--records 1000] [--shared 100] [--seed N]
//! ```
//!
//! Both clones start at the same commit. Each gets `--commits` commits shaped
//! like errata's own (one record each, `source:`/`edit:` summaries with
//! `Errata-Claim` trailers, the editor's own identity), spread over `--records`
//! records in all, of which `--shared` are touched on both sides. Where both
//! sides touch a record they touch *different fields*: editor A cites sources
//! (a new `[[sources]]` table with its own url) and hands claims to an
//! assignee; editor B tags claims and writes notes. So a field-by-field merge
//! has no conflict to report, while git's line merge meets two edits at the
//! end of the same file. Commits are written with libgit2 and the branch and
//! work tree moved at the end (`git reset --hard`).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{Oid, Repository, Signature, build::TreeUpdateBuilder};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use toml_edit::{DocumentMut, value};

type Res<T> = Result<T, Box<dyn Error>>;

const USAGE: &str =
    "usage: diverge CLONE_A CLONE_B [--commits N] [--records N] [--shared N] [--seed N]";

struct Args {
    a: PathBuf,
    b: PathBuf,
    commits: usize,
    records: usize,
    shared: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut dirs = Vec::new();
    let (mut commits, mut records, mut shared, mut seed) = (1000, 1000, 100, 7);
    while let Some(arg) = it.next() {
        let mut num = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number\n{USAGE}"))
        };
        match arg.as_str() {
            "--commits" => commits = num("--commits")?,
            "--records" => records = num("--records")?,
            "--shared" => shared = num("--shared")?,
            "--seed" => seed = num("--seed")? as u64,
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    let [a, b] = <[PathBuf; 2]>::try_from(dirs).map_err(|_| USAGE.to_owned())?;
    if shared > records || records > 2 * commits {
        return Err(format!("need shared <= records <= 2 * commits\n{USAGE}"));
    }
    Ok(Args {
        a,
        b,
        commits,
        records,
        shared,
        seed,
    })
}

/// The claim files at HEAD, by path.
fn claim_paths(repo: &Repository) -> Res<Vec<String>> {
    let tree = repo.head()?.peel_to_tree()?;
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let name = entry.name().unwrap_or_default();
        if dir.starts_with("claims/") && name.ends_with(".toml") && name != "episode.toml" {
            out.push(format!("{dir}{name}"));
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(out)
}

/// What one editor does to one record in one commit.
#[derive(Clone, Copy)]
enum Edit {
    Cite,
    Assign,
    Tag,
    Note,
}

/// Apply `edit` to a record's text; the commit's summary.
fn apply(doc: &mut DocumentMut, id: &str, edit: Edit, n: usize) -> String {
    match edit {
        Edit::Cite => {
            let mut t = toml_edit::Table::new();
            t["title"] = value(format!("Desk source {n}"));
            t["url"] = value(format!("https://sources.example.org/{id}/{n}"));
            t["publisher"] = value("Example Wire");
            let tables =
                doc.as_table_mut()
                    .entry("sources")
                    .or_insert(toml_edit::Item::ArrayOfTables(
                        toml_edit::ArrayOfTables::new(),
                    ));
            if let Some(a) = tables.as_array_of_tables_mut() {
                a.push(t);
            }
            format!("source: {id} cites Desk source {n}")
        }
        Edit::Assign => {
            doc["assignee"] = value(format!("Editor A{}", n % 7));
            format!("edit: {id} (assignee edited)")
        }
        Edit::Tag => {
            let mut tags = doc
                .get("tags")
                .and_then(|t| t.as_array())
                .cloned()
                .unwrap_or_default();
            tags.push(format!("desk-{}", n % 50));
            doc["tags"] = value(tags);
            format!("edit: {id} (tags edited)")
        }
        Edit::Note => {
            doc["note"] = value(format!("第 {n} 次查核：來源已確認。"));
            format!("edit: {id} (note edited)")
        }
    }
}

/// Make `plan`'s commits on top of the clone's HEAD and check them out.
fn commit_all(dir: &Path, who: &str, plan: &[(String, Edit)]) -> Res<Oid> {
    let repo = Repository::open(dir)?;
    let sig = Signature::now(
        who,
        &format!("{}@example.org", who.to_lowercase().replace(' ', ".")),
    )?;
    let mut parent = repo.head()?.peel_to_commit()?;
    for (n, (path, edit)) in plan.iter().enumerate() {
        let tree = parent.tree()?;
        let blob = repo.find_blob(tree.get_path(Path::new(path))?.id())?;
        let mut doc: DocumentMut = std::str::from_utf8(blob.content())?.parse()?;
        let id = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".toml");
        let summary = apply(&mut doc, id, *edit, n);
        let new_blob = repo.blob(doc.to_string().as_bytes())?;
        let mut update = TreeUpdateBuilder::new();
        update.upsert(path.as_str(), new_blob, git2::FileMode::Blob);
        let new_tree = repo.find_tree(update.create_updated(&repo, &tree)?)?;
        let message = format!("{summary}\n\nErrata-Claim: {id}\n");
        let id = repo.commit(None, &sig, &sig, &message, &new_tree, &[&parent])?;
        parent = repo.find_commit(id)?;
    }
    let head = repo.head()?;
    let branch = head.name()?.to_owned();
    repo.reference(&branch, parent.id(), true, "diverge")?;
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["reset", "--hard", "-q", "HEAD"])
        .status()?;
    if !status.success() {
        return Err("git reset --hard failed".into());
    }
    Ok(parent.id())
}

fn run(a: &Args) -> Res<()> {
    let repo = Repository::open(&a.a)?;
    let mut paths = claim_paths(&repo)?;
    if paths.len() < a.records {
        return Err(format!("only {} claims to touch", paths.len()).into());
    }
    let mut rng = StdRng::seed_from_u64(a.seed);
    paths.shuffle(&mut rng);
    paths.truncate(a.records);
    // Records only A touches, only B touches, and both.
    let only = (a.records - a.shared) / 2;
    let (only_a, rest) = paths.split_at(only);
    let (only_b, both) = rest.split_at(a.records - a.shared - only);
    let plan = |mine: &[String], edits: [Edit; 2], rng: &mut StdRng| -> Vec<(String, Edit)> {
        let touched: Vec<&String> = mine.iter().chain(both).collect();
        (0..a.commits)
            .map(|i| {
                // Every record at least once, then at random among them.
                let path = if i < touched.len() {
                    touched[i]
                } else {
                    touched[rng.random_range(0..touched.len())]
                };
                (path.clone(), edits[rng.random_range(0..2)])
            })
            .collect()
    };
    let plan_a = plan(only_a, [Edit::Cite, Edit::Assign], &mut rng);
    let plan_b = plan(only_b, [Edit::Tag, Edit::Note], &mut rng);
    let tip_a = commit_all(&a.a, "Editor A", &plan_a)?;
    let tip_b = commit_all(&a.b, "Editor B", &plan_b)?;
    println!(
        "A: {} commits over {} records -> {tip_a}\nB: {} commits over {} records -> {tip_b}\n{} records touched on both sides, in different fields",
        plan_a.len(),
        only_a.len() + both.len(),
        plan_b.len(),
        only_b.len() + both.len(),
        both.len()
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("diverge: {e}");
        std::process::exit(1);
    }
}
