//! The poller of the reply and assignment triggers (`new-reply-from-user`,
//! `new-reply-from-admin`, `conversation-assigned`): conversations search on `updated_at`
//! (every new part bumps it), then `GET /conversations/{id}` for each conversation updated inside
//! the window, whose parts become one event each, keyed by the part id: five replies between two
//! polls are five events, and a webhook delivering one of them gives the same id
//! ([`shapes::conversation_parts`] builds both).
//!
//! The search poller's rules hold (lag window, bounded cursor, resumption; see
//! [`search_poll`](super::search_poll)); a conversation is fetched once per `updated_at` value
//! (the window memory), so a re-read window costs search pages only. The first poll reads the
//! newest conversations until it has its samples: up to one search page (150) of reads in a
//! workspace where none holds a part of this kind.
//!
//! **The 500-part cap.** `GET /conversations/{id}` returns at most 500 parts, "the 500 most
//! recent" when there are more (OpenAPI 2.16, Retrieve a conversation: "Hard limit of 500
//! parts"), and Intercom offers no way to page through a conversation's parts. Newest-first is
//! what a poller needs: a conversation of any length still yields every part added since the
//! last poll, as long as fewer than 500 parts were added to that one conversation inside one
//! poll's window. Past that, the older ones of those new parts cannot be read through the REST
//! API at all; they are lost to polling (webhooks deliver each part as it happens).

use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
use super::shapes::{self, PartKind};
use super::PollPage;
use crate::error::{Error, Result};
use crate::input::parse;
use crate::intercom::{encode, Client};
use schemars::JsonSchema;
use serde::Deserialize;

/// The most parts one `GET /conversations/{id}` returns (the newest ones): OpenAPI 2.16.
pub const MAX_PARTS: usize = 500;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

/// Polls `trigger`, emitting the parts of `kind`.
pub fn poll(
    client: &Client,
    trigger: &'static str,
    kind: PartKind,
    input: &str,
    cursor: Option<&str>,
) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let Some(id) = item.id().map(encode) else {
            return Ok(vec![]);
        };
        let conversation = match client.get(&format!("/conversations/{id}")) {
            Ok(c) => c,
            // Deleted between the search and the read: it has no parts left to emit.
            Err(Error::NotFound(_)) => return Ok(vec![]),
            Err(e) => return Err(e),
        };
        Ok(shapes::conversation_parts(kind, conversation, 0))
    };
    Source {
        trigger,
        endpoint: Endpoint::Conversations,
        filters: vec![],
        window: "updated_at",
        // Each conversation costs a read: at most 100 per poll, the rest with `has_more`.
        per_page: 50,
        max_pages: 2,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: true,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}
