//! `forma import FILE…`: every file is read and checked first; only if all are valid is the
//! whole run written, in one transaction. A failure names the file, the line and the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::bail;
use forma_domain::{Program, decode_page, parse_catalogue_page};
use forma_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

/// One refused file.
#[derive(Debug)]
pub struct FileError {
    pub file: PathBuf,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} : {}", self.file.display(), self.line, self.reason)
    }
}

fn read_one(path: &Path) -> Result<Program, FileError> {
    let fail = |line, reason: String| FileError { file: path.to_owned(), line, reason };
    let bytes = std::fs::read(path).map_err(|e| fail(0, format!("fichier illisible : {e}")))?;
    let text = decode_page(&bytes).map_err(|e| fail(e.line, e.reason))?;
    parse_catalogue_page(text).map_err(|e| fail(e.line, e.reason))
}

/// Reads and checks every file; returns the sheets, or every error found.
pub fn read_all(files: &[PathBuf]) -> Result<Vec<Program>, Vec<FileError>> {
    let bar = if files.len() > 1 { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} fichiers ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Lecture");
    let mut programs: Vec<Program> = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for path in files {
        match read_one(path) {
            Ok(program) => {
                if let Some(first) = seen.get(program.slug.as_str()) {
                    errors.push(FileError {
                        file: path.clone(),
                        line: 1,
                        reason: format!(
                            "même identifiant « {} » que {} : deux pages ne peuvent pas décrire la même formation dans un import",
                            program.slug,
                            first.display()
                        ),
                    });
                } else {
                    seen.insert(program.slug.to_string(), path);
                    programs.push(program);
                }
            }
            Err(e) => errors.push(e),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if errors.is_empty() { Ok(programs) } else { Err(errors) }
}

pub async fn run(db: &str, files: &[PathBuf]) -> anyhow::Result<()> {
    let programs = match read_all(files) {
        Ok(p) => p,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!(
                "import refusé : {} fichier{} en erreur sur {}, rien n'a été enregistré",
                errors.len(),
                if errors.len() > 1 { "s" } else { "" },
                files.len()
            );
        }
    };
    let store = Store::connect(db).await?;
    let summary = store.import_programs(&programs, &super::cli_actor("import")).await?;
    store.close().await;
    println!(
        "{} fiche{} importée{} : {} créée{}, {} mise{} à jour, {} inchangée{}",
        programs.len(),
        plural(programs.len()),
        plural(programs.len()),
        summary.created,
        plural(summary.created),
        summary.updated,
        plural(summary.updated),
        summary.unchanged,
        plural(summary.unchanged),
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}
