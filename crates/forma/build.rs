//! Embeds the demo catalogue pages (demo/catalogue/*.txt) so that `forma serve --demo` needs no
//! file beside the binary.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=demo/catalogue");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalogue");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("demo/catalogue exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut code = String::from("pub const DEMO_PAGES: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("demo_pages.rs");
    std::fs::write(out, code).unwrap();
}
