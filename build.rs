//! Packs the committed JSON schemas and samples (`src/schemas/{input,output,samples}/*.json`)
//! and the triggers' notes (`src/schemas/notes/*.txt`, as written) for `src/schemas/mod.rs` to
//! embed: each JSON file minified (only whitespace between tokens goes, so
//! keys keep their order and the text parses to the same value), all of them concatenated and
//! deflated into `OUT_DIR/schemas.deflate`, with `OUT_DIR/schemas_index.rs` saying where each
//! file sits in the inflated text. The files repeat each other's names and shapes, so the
//! deflated copy is about a tenth of the minified one; the committed files stay pretty.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let src = Path::new("src/schemas");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    let mut text = String::new();
    let mut index = String::from(
        "/// Each packed file (`input/find-user.json`) and where it sits: byte offset, length.\n\
         const INDEX: &[(&str, usize, usize)] = &[\n",
    );
    for (sub, ext) in [
        ("input", "json"),
        ("output", "json"),
        ("samples", "json"),
        ("notes", "txt"),
    ] {
        let dir = src.join(sub);
        // A directory entry only reruns on added or removed files; each file is listed below.
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .expect("read src/schemas")
            .map(|e| e.expect("read src/schemas").path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        // Same bytes on every machine, whatever order the directory lists in.
        paths.sort();
        for path in paths {
            println!("cargo:rerun-if-changed={}", path.display());
            let file = std::fs::read_to_string(&path).expect("read a schema");
            let start = text.len();
            if ext == "json" {
                text.push_str(&minified(&path, &file));
            } else {
                // Text as written, without the final newline.
                text.push_str(file.trim_end());
            }
            let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            writeln!(index, "    ({name:?}, {start}, {}),", text.len() - start).unwrap();
        }
    }
    index.push_str("];\n");
    writeln!(
        index,
        "/// Length of the inflated text.\nconst PACKED_LEN: usize = {};",
        text.len()
    )
    .unwrap();
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 10);
    std::fs::write(out.join("schemas.deflate"), packed).expect("write OUT_DIR/schemas.deflate");
    std::fs::write(out.join("schemas_index.rs"), index).expect("write OUT_DIR/schemas_index.rs");
}

/// The file minified, checked to parse to the same value. Invalid JSON is kept as is, so the
/// `schemas` tests report it (and `UPDATE_SCHEMAS=1` can still regenerate input schemas).
fn minified(path: &Path, text: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.to_string();
    };
    let min = minify(text);
    let same = serde_json::from_str::<serde_json::Value>(&min).ok();
    assert!(
        same == Some(value),
        "minifying {} changed it",
        path.display()
    );
    min
}

/// `text` without whitespace outside strings.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}
