//! Minifies the committed JSON schemas and samples (`src/schemas/{input,output,samples}/*.json`)
//! into `OUT_DIR/schemas/`, which `src/schemas/mod.rs` and `input_schema!` embed: the committed
//! files stay pretty for review while the component carries no indentation. Only whitespace
//! between tokens goes, so keys keep their order and the text parses to the same value.

use std::path::Path;

fn main() {
    let src = Path::new("src/schemas");
    let out = Path::new(&std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("schemas");
    println!("cargo:rerun-if-changed=build.rs");
    for sub in ["input", "output", "samples"] {
        let dir = src.join(sub);
        // A directory entry only reruns on added or removed files; each file is listed below.
        println!("cargo:rerun-if-changed={}", dir.display());
        std::fs::create_dir_all(out.join(sub)).expect("create OUT_DIR/schemas");
        for entry in std::fs::read_dir(&dir).expect("read src/schemas") {
            let path = entry.expect("read src/schemas").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path).expect("read a schema");
            let min = minify(&text);
            // Invalid JSON is embedded as is, so the `schemas` tests report it (and
            // `UPDATE_SCHEMAS=1` can still regenerate input schemas).
            let min = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value) => {
                    let same = serde_json::from_str::<serde_json::Value>(&min).ok();
                    assert!(
                        same == Some(value),
                        "minifying {} changed it",
                        path.display()
                    );
                    min
                }
                Err(_) => text,
            };
            std::fs::write(out.join(sub).join(path.file_name().unwrap()), min)
                .expect("write a minified schema");
        }
    }
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
