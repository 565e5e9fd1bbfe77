//! The schemas and samples `describe()` publishes, as committed JSON text (the component only
//! embeds them; it generates no schema):
//! - `input/<key>.json`: each operation's input schema, generated natively from its input type
//!   by schemars and checked by the tests here (refresh with
//!   `UPDATE_SCHEMAS=1 cargo test -p intercom-connector --lib schemas`);
//! - `output/`: output schemas, hand-maintained; shared ones named after the object, others
//!   after their operation;
//! - `samples/`: output samples, Intercom's OpenAPI examples and the events operations build
//!   from them (see `samples/README.md`);
//! - `notes/<key>.txt`: each trigger's notes (what it catches and misses), and `oauth.txt`, how to
//!   set an app up for OAuth (`describe()`'s auth notes), plain text.
//!
//! The committed files stay pretty. `build.rs` minifies them (same values, same key order) and
//! deflates them together: 117 KB of text ship as 12 KB, inflated on the first `describe()` or
//! schema lookup of an instance and never on the operation paths.

use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/schemas_index.rs"));

static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/schemas.deflate"));

/// One committed file, minified: `Embedded::at("output/tag.json").text()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedded {
    start: usize,
    len: usize,
}

impl Embedded {
    /// The file at `path` under `src/schemas/`; used in constants, so a wrong path fails the
    /// build.
    pub const fn at(path: &str) -> Embedded {
        let mut i = 0;
        while i < INDEX.len() {
            let (name, start, len) = INDEX[i];
            if same(name, path) {
                return Embedded { start, len };
            }
            i += 1;
        }
        panic!("no such file under src/schemas/")
    }

    /// The minified JSON text (a note's text as written).
    pub fn text(self) -> &'static str {
        &unpacked()[self.start..self.start + self.len]
    }
}

impl From<Embedded> for &'static str {
    fn from(e: Embedded) -> Self {
        e.text()
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// All files, inflated once per instance.
fn unpacked() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(PACKED, PACKED_LEN)
            .expect("build.rs deflated the schemas");
        String::from_utf8(bytes).expect("the schemas are UTF-8 text")
    })
}

pub const CONTACT_SCHEMA: Embedded = Embedded::at("output/contact.json");
pub const COMPANY_SCHEMA: Embedded = Embedded::at("output/company.json");
pub const CONVERSATION_SCHEMA: Embedded = Embedded::at("output/conversation.json");
pub const TAG_SCHEMA: Embedded = Embedded::at("output/tag.json");
/// A contact with `outcome` (`created` / `updated`).
pub const CONTACT_WITH_OUTCOME_SCHEMA: Embedded = Embedded::at("output/contact-with-outcome.json");
/// A company with `outcome` (`created` / `updated`).
pub const COMPANY_WITH_OUTCOME_SCHEMA: Embedded = Embedded::at("output/company-with-outcome.json");
/// A contact or company with `outcome` (`found` / `created`): the find-or-create actions.
pub const CONTACT_FOUND_OR_CREATED_SCHEMA: Embedded =
    Embedded::at("output/contact-found-or-created.json");
pub const COMPANY_FOUND_OR_CREATED_SCHEMA: Embedded =
    Embedded::at("output/company-found-or-created.json");
/// api-request's `{status, body, request_id}`.
pub const API_REQUEST_SCHEMA: Embedded = Embedded::at("output/api-request.json");
/// The tag triggers' `contact_tag` event.
pub const CONTACT_TAG_SCHEMA: Embedded = Embedded::at("output/contact-tag.json");
pub const ADD_NOTE_SCHEMA: Embedded = Embedded::at("output/add-note.json");
pub const SEND_INCOMING_MESSAGE_SCHEMA: Embedded =
    Embedded::at("output/send-incoming-message.json");
pub const ADD_EVENT_SCHEMA: Embedded = Embedded::at("output/add-event.json");
pub const NEW_UNSUBSCRIPTION_SCHEMA: Embedded = Embedded::at("output/new-unsubscription.json");
pub const TAG_ADDED_TO_CONVERSATION_SCHEMA: Embedded =
    Embedded::at("output/tag-added-to-conversation.json");
pub const TICKET_SCHEMA: Embedded = Embedded::at("output/ticket.json");
/// The ticket-state-changed event: a ticket with `state_change`.
pub const TICKET_STATE_CHANGE_SCHEMA: Embedded = Embedded::at("output/ticket-state-change.json");
pub const TICKET_REPLY_SCHEMA: Embedded = Embedded::at("output/ticket-reply.json");

/// The reply triggers' `conversation_reply` event.
pub const REPLY_SCHEMA: Embedded = Embedded::at("output/conversation-reply.json");
/// conversation-assigned's `conversation_assignment` event.
pub const ASSIGNMENT_SCHEMA: Embedded = Embedded::at("output/conversation-assignment.json");

pub const CONTACT_SAMPLE: Embedded = Embedded::at("samples/contact.json");
pub const COMPANY_SAMPLE: Embedded = Embedded::at("samples/company.json");
pub const CONVERSATION_SAMPLE: Embedded = Embedded::at("samples/conversation.json");
pub const NOTE_SAMPLE: Embedded = Embedded::at("samples/note_created.json");
pub const TAG_SAMPLE: Embedded = Embedded::at("samples/tag_attached_to_contact.json");
pub const MESSAGE_SAMPLE: Embedded = Embedded::at("samples/create_conversation_response.json");
pub const CONTACT_TAG_SAMPLE: Embedded = Embedded::at("samples/contact-tag.json");
pub const CREATE_OR_UPDATE_USER_SAMPLE: Embedded =
    Embedded::at("samples/create-or-update-user.json");
pub const CREATE_OR_UPDATE_LEAD_SAMPLE: Embedded =
    Embedded::at("samples/create-or-update-lead.json");
pub const UPDATE_COMPANY_SAMPLE: Embedded = Embedded::at("samples/update-company.json");
pub const FIND_OR_CREATE_USER_SAMPLE: Embedded = Embedded::at("samples/find-or-create-user.json");
pub const FIND_OR_CREATE_LEAD_SAMPLE: Embedded = Embedded::at("samples/find-or-create-lead.json");
pub const FIND_OR_CREATE_COMPANY_SAMPLE: Embedded =
    Embedded::at("samples/find-or-create-company.json");
pub const API_REQUEST_SAMPLE: Embedded = Embedded::at("samples/api-request.json");
pub const ADD_EVENT_SAMPLE: Embedded = Embedded::at("samples/add-event.json");
pub const NEW_UNSUBSCRIPTION_SAMPLE: Embedded = Embedded::at("samples/new-unsubscription.json");
pub const TAG_ADDED_TO_CONVERSATION_SAMPLE: Embedded =
    Embedded::at("samples/tag-added-to-conversation.json");
pub const TICKET_SAMPLE: Embedded = Embedded::at("samples/ticket.json");
pub const TICKET_REPLY_SAMPLE: Embedded = Embedded::at("samples/ticket_reply.json");
pub const TICKET_STATE_CHANGE_SAMPLE: Embedded = Embedded::at("samples/ticket-state-change.json");
pub const USER_REPLY_SAMPLE: Embedded = Embedded::at("samples/new-reply-from-user.json");
pub const ADMIN_REPLY_SAMPLE: Embedded = Embedded::at("samples/new-reply-from-admin.json");
pub const ASSIGNMENT_SAMPLE: Embedded = Embedded::at("samples/conversation-assigned.json");

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

    fn parse<'a>(what: &str, text: impl Into<&'a str>) -> Value {
        serde_json::from_str(text.into())
            .unwrap_or_else(|e| panic!("{what} is not valid JSON: {e}"))
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
                let committed: Value =
                    serde_json::from_str(schema.text.text()).unwrap_or_else(|e| {
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

    /// Each packed file inflates to the value of its committed file.
    #[test]
    fn packed_files_are_the_committed_ones() {
        for (name, _, _) in INDEX {
            let committed = std::fs::read_to_string(dir(name)).unwrap();
            if name.ends_with(".txt") {
                assert_eq!(Embedded::at(name).text(), committed.trim_end(), "{name}");
            } else {
                assert_eq!(
                    parse(name, Embedded::at(name)),
                    parse(name, committed.as_str()),
                    "{name}"
                );
            }
        }
        let on_disk = [
            ("input", "json"),
            ("output", "json"),
            ("samples", "json"),
            ("notes", "txt"),
        ]
        .iter()
        .flat_map(|(sub, ext)| std::fs::read_dir(dir(sub)).unwrap().map(move |e| (e, ext)))
        .filter(|(e, ext)| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == **ext)
        })
        .count();
        assert_eq!(INDEX.len(), on_disk, "every committed file is packed");
        // Every trigger's notes are its own file, the OAuth notes one more, and no file is left
        // over.
        let notes = INDEX
            .iter()
            .filter(|(n, _, _)| n.starts_with("notes/"))
            .count();
        assert_eq!(
            notes,
            crate::triggers::ALL.len() + 1,
            "one per trigger, and OAuth's"
        );
        let oauth = crate::connect::auth_info().oauth2.notes;
        assert_eq!(oauth, Embedded::at("notes/oauth.txt").text());
        assert!(oauth.starts_with("Tick Use OAuth"), "{oauth}");
        for t in crate::triggers::ALL {
            let file = format!("notes/{}.txt", t.meta.key);
            assert!(
                INDEX.iter().any(|(n, _, _)| *n == file) && Embedded::at(&file) == t.info.notes,
                "{} reads {file}",
                t.meta.key
            );
        }
    }

    #[test]
    fn every_output_schema_and_sample_parses() {
        for sub in ["output", "samples"] {
            for entry in std::fs::read_dir(dir(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    parse(
                        &path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap().as_str(),
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
            (
                REPLY_SCHEMA,
                "/properties/conversation",
                &parse("conversation", CONVERSATION_SCHEMA),
            ),
            (
                ASSIGNMENT_SCHEMA,
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
        let company = parse("company", COMPANY_SCHEMA);
        for (with, without) in [
            (CONTACT_WITH_OUTCOME_SCHEMA, contact),
            (COMPANY_WITH_OUTCOME_SCHEMA, company),
        ] {
            let mut outcome = parse("outcome", with);
            let props = outcome["properties"].as_object_mut().unwrap();
            assert!(props.remove("outcome").is_some());
            outcome["required"]
                .as_array_mut()
                .unwrap()
                .retain(|r| r != "outcome");
            assert_eq!(outcome, without);
        }
    }

    /// Samples of derived events are what the code builds from the base samples.
    #[test]
    fn derived_samples_are_what_the_operations_build() {
        use crate::actions::fields::with_outcome;
        use crate::triggers::shapes;
        let contact_tag = |c: &Value, t: &Value, at| shapes::contact_tag(c, t, at).data.to_value();
        let conversation_tag =
            |c: &Value, t: &Value, at| shapes::conversation_tag(c, t, at).data.to_value();
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
                UPDATE_COMPANY_SAMPLE,
                with_outcome(parse("company", COMPANY_SAMPLE), "updated"),
            ),
            (
                NEW_UNSUBSCRIPTION_SAMPLE,
                json!({"type": "contact_unsubscribe", "created_at": at, "contact": contact,
                       "subscription_types": {"type": "list", "data": []}}),
            ),
        ];
        for (text, built) in cases {
            assert_eq!(parse("sample", text), built);
        }
        // The state-change sample is PUT /tickets/{id}'s 2.16 example with its newest change.
        let mut updated = parse("sample", TICKET_STATE_CHANGE_SAMPLE);
        updated.as_object_mut().unwrap().remove("state_change");
        let change = shapes::ticket_states(&updated)
            .pop()
            .expect("a state change");
        assert_eq!(
            parse("sample", TICKET_STATE_CHANGE_SAMPLE),
            change.data.to_value()
        );
    }

    /// The reply and assignment samples are what `shapes` builds from the conversation example's
    /// first part (an admin comment), that part authored by the example's contact for the user
    /// reply, and made an assignment for the assignment.
    #[test]
    fn part_samples_are_what_the_shapes_build() {
        use crate::triggers::shapes::{conversation_parts, PartKind};
        let conversation = parse("conversation", CONVERSATION_SAMPLE);
        let first = conversation["conversation_parts"]["conversation_parts"][0].clone();
        let with_part = |part: Value| {
            let mut c = conversation.clone();
            c["conversation_parts"]["conversation_parts"] = json!([part]);
            c
        };
        let built = |kind, part: Value| {
            let found = conversation_parts(kind, with_part(part), 0);
            assert_eq!(found.len(), 1, "{kind:?}");
            found[0].data.to_value()
        };
        let mut user = first.clone();
        user["author"] = json!({"type": "user", "id": conversation["contacts"]["contacts"][0]["id"],
            "name": "Joe Bloggs", "email": "joe@example.com"});
        user["assigned_to"] = Value::Null;
        let mut assignment = first.clone();
        assignment["part_type"] = "assignment".into();
        assignment["body"] = Value::Null;
        assignment["assigned_to"] = json!({"type": "admin", "id": "274"});
        for (text, kind, part) in [
            (ADMIN_REPLY_SAMPLE, PartKind::AdminReply, first),
            (USER_REPLY_SAMPLE, PartKind::UserReply, user),
            (ASSIGNMENT_SAMPLE, PartKind::Assignment, assignment),
        ] {
            assert_eq!(parse("sample", text), built(kind, part), "{kind:?}");
        }
    }
}
