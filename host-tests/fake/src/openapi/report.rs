//! How a validation failure reads: one line per offending place, with `anyOf`/`oneOf` failures
//! explained by their closest alternative instead of every branch.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};

/// Violation texts quote the offending value; long values are cut to this many characters.
const MAX_MESSAGE_CHARS: usize = 240;

/// Turns one validation error into `(instance pointer, message)` pairs. A failed `anyOf`/`oneOf`
/// is summarised when its alternatives only differ in the required properties or the accepted
/// types, and otherwise explained by its closest alternative (deepest errors, then fewest); the
/// `null` alternative added for `nullable` is left out.
pub(super) fn flatten(error: &ValidationError<'_>, note: &str, out: &mut Vec<(String, String)>) {
    let (ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }) =
        error.kind()
    else {
        out.push((
            error.instance_path().to_string(),
            format!("{}{note}", shorten(&error.to_string())),
        ));
        return;
    };
    let here = error.instance_path().to_string();
    let candidates: Vec<&Vec<ValidationError<'static>>> = context
        .iter()
        .filter(|branch| !branch.is_empty() && !is_null_branch(branch))
        .collect();
    if candidates.len() > 1 {
        if let Some(summary) = summarise(&candidates, &here) {
            out.push((here, format!("{summary}{note}")));
            return;
        }
    }
    let best = candidates.iter().rev().max_by_key(|branch| {
        let depth = branch
            .iter()
            .map(|e| e.instance_path().as_str().matches('/').count())
            .max();
        (depth.unwrap_or(0), std::cmp::Reverse(branch.len()))
    });
    let Some(branch) = best else {
        out.push((here, format!("{}{note}", shorten(&error.to_string()))));
        return;
    };
    let note = if candidates.len() > 1 && note.is_empty() {
        format!(
            " (closest of {} {} alternatives)",
            context.len(),
            error.kind().keyword()
        )
    } else {
        note.to_string()
    };
    for e in branch.iter() {
        flatten(e, &note, out);
    }
}

/// One message for alternatives that each fail with only missing properties, or only with a
/// wrong type, right at `here`.
fn summarise(branches: &[&Vec<ValidationError<'static>>], here: &str) -> Option<String> {
    let at_here = |e: &ValidationError<'_>| e.instance_path().as_str() == here;
    if branches.iter().all(|b| {
        b.iter()
            .all(|e| at_here(e) && matches!(e.kind(), ValidationErrorKind::Required { .. }))
    }) {
        let options: Vec<String> = branches
            .iter()
            .map(|b| {
                let names: Vec<String> = b
                    .iter()
                    .filter_map(|e| match e.kind() {
                        ValidationErrorKind::Required { property } => Some(property.to_string()),
                        _ => None,
                    })
                    .collect();
                names.join(" + ")
            })
            .collect();
        return Some(format!(
            "missing required properties: one of {}",
            options.join(" | ")
        ));
    }
    let mut types = Vec::new();
    for branch in branches {
        let [only] = branch.as_slice() else {
            return None;
        };
        let ValidationErrorKind::Type { kind } = only.kind() else {
            return None;
        };
        if !at_here(only) {
            return None;
        }
        match kind {
            TypeKind::Single(t) => types.push(*t),
            TypeKind::Multiple(set) => types.extend(*set),
        }
    }
    types.retain(|t| *t != JsonType::Null);
    types.sort();
    types.dedup();
    let instance = shorten(&branches[0][0].instance().to_string());
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    Some(format!(
        "{instance} is not of any of the types {}",
        names.join(", ")
    ))
}

/// The branch is the lone `{"type": "null"}` alternative of a nullable schema.
fn is_null_branch(branch: &[ValidationError<'_>]) -> bool {
    matches!(branch, [only] if matches!(only.kind(), ValidationErrorKind::Type { kind: TypeKind::Single(JsonType::Null) }))
}

pub(super) fn shorten(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}…")
}
