//! The schemas and samples `describe()` publishes, as committed JSON text (the component only
//! embeds them; it generates no schema):
//! - `input/<key>.json`: each operation's input schema, generated natively from its input type
//!   by schemars and checked by the tests here (refresh with
//!   `UPDATE_SCHEMAS=1 cargo test -p intercom-connector --lib schemas`);
//! - `output/`: output schemas, hand-maintained; shared ones named after the object, others
//!   after their operation;
//! - `samples/`: output samples, Intercom's OpenAPI examples and the events operations build
//!   from them (see `samples/README.md`).
//!
//! The committed files stay pretty; what is embedded are the minified copies `build.rs` writes
//! to `OUT_DIR` (whitespace between tokens removed: same values, same key order).

/// `schema_text!("output/tag.json")`: the committed file under `src/schemas/`, minified.
macro_rules! schema_text {
    ($path:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/schemas/", $path))
    };
}

pub const CONTACT_SCHEMA: &str = schema_text!("output/contact.json");
pub const COMPANY_SCHEMA: &str = schema_text!("output/company.json");
pub const CONVERSATION_SCHEMA: &str = schema_text!("output/conversation.json");
pub const TAG_SCHEMA: &str = schema_text!("output/tag.json");
/// A contact with `outcome` (`created` / `updated`).
pub const CONTACT_WITH_OUTCOME_SCHEMA: &str = schema_text!("output/contact-with-outcome.json");
/// The tag triggers' `contact_tag` event.
pub const CONTACT_TAG_SCHEMA: &str = schema_text!("output/contact-tag.json");
pub const ADD_NOTE_SCHEMA: &str = schema_text!("output/add-note.json");
pub const SEND_INCOMING_MESSAGE_SCHEMA: &str = schema_text!("output/send-incoming-message.json");
pub const ADD_EVENT_SCHEMA: &str = schema_text!("output/add-event.json");
pub const NEW_UNSUBSCRIPTION_SCHEMA: &str = schema_text!("output/new-unsubscription.json");
pub const TAG_ADDED_TO_CONVERSATION_SCHEMA: &str =
    schema_text!("output/tag-added-to-conversation.json");

pub const CONTACT_SAMPLE: &str = schema_text!("samples/contact.json");
pub const COMPANY_SAMPLE: &str = schema_text!("samples/company.json");
pub const CONVERSATION_SAMPLE: &str = schema_text!("samples/conversation.json");
pub const NOTE_SAMPLE: &str = schema_text!("samples/note_created.json");
pub const TAG_SAMPLE: &str = schema_text!("samples/tag_attached_to_contact.json");
pub const MESSAGE_SAMPLE: &str = schema_text!("samples/create_conversation_response.json");
pub const CONTACT_TAG_SAMPLE: &str = schema_text!("samples/contact-tag.json");
pub const CREATE_OR_UPDATE_USER_SAMPLE: &str = schema_text!("samples/create-or-update-user.json");
pub const CREATE_OR_UPDATE_LEAD_SAMPLE: &str = schema_text!("samples/create-or-update-lead.json");
pub const ADD_EVENT_SAMPLE: &str = schema_text!("samples/add-event.json");
pub const NEW_UNSUBSCRIPTION_SAMPLE: &str = schema_text!("samples/new-unsubscription.json");
pub const TAG_ADDED_TO_CONVERSATION_SAMPLE: &str =
    schema_text!("samples/tag-added-to-conversation.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::all_meta;
    use serde_json::{json, Value};
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    const REFRESH: &str =
        "run `UPDATE_SCHEMAS=1 cargo test -p intercom-connector --lib schemas` to refresh";

    fn dir(sub: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/schemas")
            .join(sub)
    }

    fn parse(what: &str, text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not valid JSON: {e}"))
    }

    /// The committed input schemas are exactly what schemars generates from the input types.
    #[test]
    fn input_schemas_match_the_input_types() {
        let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1");
        let mut keys = BTreeSet::new();
        for meta in all_meta() {
            let schema = &meta.input_schema;
            assert_eq!(
                schema.key, meta.key,
                "{} embeds the input schema of `{}`",
                meta.key, schema.key
            );
            keys.insert(format!("{}.json", meta.key));
            let generated = (schema.generate)();
            if update {
                let text =
                    serde_json::to_string_pretty(&generated).expect("a schema serializes") + "\n";
                std::fs::write(dir("input").join(format!("{}.json", meta.key)), text).unwrap();
            } else {
                let committed: Value = serde_json::from_str(schema.text).unwrap_or_else(|e| {
                    panic!(
                        "src/schemas/input/{}.json is not valid JSON ({e}); {REFRESH}",
                        meta.key
                    )
                });
                assert!(
                    committed == generated,
                    "src/schemas/input/{}.json differs from its input type; {REFRESH}",
                    meta.key
                );
            }
        }
        let files: BTreeSet<String> = std::fs::read_dir(dir("input"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let stale: Vec<_> = files.difference(&keys).collect();
        assert!(
            stale.is_empty(),
            "no operation uses src/schemas/input/{stale:?}: remove them"
        );
    }

    #[test]
    fn every_output_schema_and_sample_parses() {
        for sub in ["output", "samples"] {
            for entry in std::fs::read_dir(dir(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    parse(
                        &path.display().to_string(),
                        &std::fs::read_to_string(&path).unwrap(),
                    );
                }
            }
        }
        for meta in all_meta() {
            assert!(
                parse(meta.key, meta.output_schema).is_object(),
                "{}",
                meta.key
            );
            assert!(
                parse(meta.key, meta.output_sample).is_object(),
                "{}",
                meta.key
            );
        }
    }

    /// Schemas that embed the shared ones keep them in step.
    #[test]
    fn derived_output_schemas_embed_the_shared_ones() {
        let contact = parse("contact", CONTACT_SCHEMA);
        let embedded = [
            (CONTACT_TAG_SCHEMA, "/properties/contact", &contact),
            (NEW_UNSUBSCRIPTION_SCHEMA, "/properties/contact", &contact),
            (
                TAG_ADDED_TO_CONVERSATION_SCHEMA,
                "/properties/conversation",
                &parse("conversation", CONVERSATION_SCHEMA),
            ),
        ];
        for (text, pointer, shared) in embedded {
            assert_eq!(
                parse(pointer, text).pointer(pointer),
                Some(shared),
                "{pointer}"
            );
        }
        let mut outcome = parse("outcome", CONTACT_WITH_OUTCOME_SCHEMA);
        let props = outcome["properties"].as_object_mut().unwrap();
        assert!(props.remove("outcome").is_some());
        outcome["required"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r != "outcome");
        assert_eq!(outcome, contact);
    }

    /// Samples of derived events are what the code builds from the base samples.
    #[test]
    fn derived_samples_are_what_the_operations_build() {
        use crate::actions::fields::with_outcome;
        use crate::triggers::{
            contact_poll::contact_tag, tag_added_to_conversation::conversation_tag,
        };
        let (contact, tag) = (parse("contact", CONTACT_SAMPLE), parse("tag", TAG_SAMPLE));
        let at = 1_734_537_745;
        let mut lead = with_outcome(contact.clone(), "created");
        lead["role"] = "lead".into();
        let cases = [
            (CONTACT_TAG_SAMPLE, contact_tag(&contact, &tag, at)),
            (
                TAG_ADDED_TO_CONVERSATION_SAMPLE,
                conversation_tag(&parse("conversation", CONVERSATION_SAMPLE), &tag, at),
            ),
            (
                CREATE_OR_UPDATE_USER_SAMPLE,
                with_outcome(contact.clone(), "updated"),
            ),
            (CREATE_OR_UPDATE_LEAD_SAMPLE, lead),
            (
                NEW_UNSUBSCRIPTION_SAMPLE,
                json!({"type": "contact_unsubscribe", "created_at": at, "contact": contact,
                       "subscription_types": {"type": "list", "data": []}}),
            ),
        ];
        for (text, built) in cases {
            assert_eq!(parse("sample", text), built);
        }
    }
}
