//! Property tests of every parser of outside input in the service: the catalogue
//! importer and its validation, the JSON body parser of votes, events and beacons,
//! `X-Forwarded-For` and CIDR blocks. Each runs proptest's default 256 cases (set
//! `PROPTEST_CASES` for a longer run); the cargo-fuzz targets in `fuzz/` go further.

mod common;

use casm_feed::config::Cidr;
use casm_feed::http::body;
use casm_feed::http::client::resolve_client;
use casm_feed::http::error::ApiError;
use casm_feed::store::parse_catalogue;
use casm_model::api::{EventRequest, FeedbackRequest, VoteRequest};
use casm_model::{Catalogue, EventKind};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

fn demo_json() -> &'static serde_json::Value {
    static DEMO: OnceLock<serde_json::Value> = OnceLock::new();
    DEMO.get_or_init(|| serde_json::to_value(common::demo_catalogue()).unwrap())
}

/// Text a title may hold: any printable characters of any script (Arabic, accents,
/// emoji), spaces, newlines and tabs; no control characters, no bidi overrides.
fn good_text() -> impl Strategy<Value = String> {
    "[\\PC\n\t ]{1,200}".prop_filter("no bidi override", |s| {
        !s.chars().any(casm_model::validate::is_bidi_control)
    })
}

/// A character no text field may hold.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u32..0x20)
            .prop_filter("not newline or tab", |c| *c != 0x0A && *c != 0x09)
            .prop_map(|c| char::from_u32(c).unwrap()),
        (0x7Fu32..0xA0).prop_map(|c| char::from_u32(c).unwrap()),
        (0x202Au32..=0x202E).prop_map(|c| char::from_u32(c).unwrap()),
        (0x2066u32..=0x2069).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Fields of a resource that hold free text, by their name in the import format.
const TEXT_FIELDS: [&str; 3] = ["title", "summary", "version_comment"];

proptest! {
    /// Any bytes: an answer, never a panic, and an error says what is wrong.
    #[test]
    fn the_importer_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(e) = parse_catalogue(&bytes) {
            prop_assert!(!e.message.is_empty());
        }
    }

    /// Any JSON in place of a resource field is refused at that field, or accepted.
    #[test]
    fn the_importer_names_the_field_of_any_wrong_value(
        index in 0usize..33,
        field in prop::sample::select(vec![
            "id", "kind", "title", "summary", "body", "links", "partners", "tags",
            "language", "related", "highlights", "created", "modified", "version",
        ]),
        value in json_value(),
    ) {
        let mut catalogue = demo_json().clone();
        catalogue["resources"][index][field] = value;
        let bytes = serde_json::to_vec(&catalogue).unwrap();
        if let Err(e) = parse_catalogue(&bytes) {
            let at = format!("resources[{index}]");
            prop_assert!(
                e.path.starts_with(&at) || e.path.starts_with("resources[") && field == "id",
                "{} does not name {at}.{field}", e
            );
        }
    }

    /// Good text of any script is kept exactly, through the import and back out.
    #[test]
    fn good_text_round_trips_through_the_importer(
        index in 0usize..33,
        field in prop::sample::select(TEXT_FIELDS.to_vec()),
        text in good_text(),
    ) {
        let mut catalogue = demo_json().clone();
        catalogue["resources"][index][field] = text.clone().into();
        let parsed: Catalogue = parse_catalogue(&serde_json::to_vec(&catalogue).unwrap())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = serde_json::to_value(&parsed).unwrap();
        prop_assert_eq!(&back["resources"][index][field], &serde_json::Value::from(text));
    }

    /// One control character or bidi override anywhere in a text field is refused, at
    /// exactly that field.
    #[test]
    fn hostile_text_is_refused_at_its_field(
        index in 0usize..33,
        field in prop::sample::select(TEXT_FIELDS.to_vec()),
        text in good_text(),
        bad in hostile_char(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut chars: Vec<char> = text.chars().collect();
        chars.insert(at.index(chars.len() + 1), bad);
        let mut catalogue = demo_json().clone();
        catalogue["resources"][index][field] = chars.into_iter().collect::<String>().into();
        let e = parse_catalogue(&serde_json::to_vec(&catalogue).unwrap()).unwrap_err();
        prop_assert_eq!(e.path, format!("resources[{index}].{field}"));
    }

    /// The body parser of votes, events, beacons and feedback: any bytes give a value or
    /// a 400, never a panic or another status.
    #[test]
    fn post_bodies_parse_or_are_a_400(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for result in [
            body::parse::<EventRequest>(&bytes).map(drop),
            body::parse::<VoteRequest>(&bytes).map(drop),
            body::parse::<FeedbackRequest>(&bytes).map(drop),
        ] {
            match result {
                Ok(()) | Err(ApiError::BadRequest { .. }) => {}
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }
    }

    /// An event body as the widget's beacon sends it comes back as it was sent, and the
    /// same body with any one field broken names that field.
    #[test]
    fn event_bodies_round_trip_and_name_a_broken_field(
        kind in prop::sample::select(EventKind::ALL.to_vec()),
        resource in "[a-z0-9][a-z0-9-]{0,40}",
        visitor in "[A-Za-z0-9_-]{16,64}",
        link in proptest::option::of("[a-z0-9-]{1,20}"),
        broken in prop::sample::select(vec!["type", "resource", "visitor"]),
    ) {
        let sent = EventRequest { kind, resource, visitor, link };
        let bytes = serde_json::to_vec(&sent).unwrap();
        let got: EventRequest = body::parse(&bytes).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&got, &sent);
        let mut value = serde_json::to_value(&sent).unwrap();
        value[broken] = serde_json::json!([1]);
        match body::parse::<EventRequest>(&serde_json::to_vec(&value).unwrap()) {
            Err(ApiError::BadRequest { field, .. }) => prop_assert_eq!(field.as_deref(), Some(broken)),
            other => prop_assert!(false, "{other:?}"),
        }
    }

    /// Any `X-Forwarded-For` from a client that is not a trusted proxy is ignored.
    #[test]
    fn forwarded_for_from_anyone_else_is_ignored(peer in any::<Ipv4Addr>(), header in ".{0,200}") {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        prop_assume!(!trusted[0].contains(IpAddr::V4(peer)));
        let mut headers = axum::http::HeaderMap::new();
        if let Ok(v) = header.parse() {
            headers.insert("x-forwarded-for", v);
        }
        prop_assert_eq!(resolve_client(IpAddr::V4(peer), &headers, &trusted), IpAddr::V4(peer));
    }

    /// Through trusted proxies, the client is the last hop that is not one of them; a
    /// header of nothing but proxies or garbage never yields an address it did not hold.
    #[test]
    fn forwarded_for_through_proxies_is_the_last_untrusted_hop(
        hops in prop::collection::vec(any::<Ipv4Addr>(), 0..6),
        garbage in prop::collection::vec("[^,]{0,12}", 0..3),
        proxy_hops in 0usize..3,
    ) {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let mut list: Vec<String> = hops.iter().map(Ipv4Addr::to_string).collect();
        list.extend(garbage.iter().cloned());
        list.extend((0..proxy_hops).map(|i| format!("10.9.9.{i}")));
        let mut headers = axum::http::HeaderMap::new();
        if let Ok(v) = list.join(", ").parse() {
            headers.insert("x-forwarded-for", v);
        } else {
            return Ok(());
        }
        let got = resolve_client(peer, &headers, &trusted);
        let parsed: Vec<IpAddr> = list.iter().filter_map(|h| h.trim().parse().ok()).collect();
        let untrusted: Vec<&IpAddr> = parsed.iter().filter(|ip| !trusted[0].contains(**ip)).collect();
        match untrusted.last() {
            Some(last) => prop_assert_eq!(got, **last),
            None => prop_assert!(got == peer || parsed.contains(&got)),
        }
    }

    /// A block holds exactly the addresses that share its first `prefix` bits.
    #[test]
    fn cidr_blocks_hold_what_their_prefix_says(
        net in any::<u128>(),
        other in any::<u128>(),
        prefix in 0u8..=128,
        v4 in any::<bool>(),
    ) {
        let (max, net_ip, other_ip) = if v4 {
            let (n, o) = (net as u32, other as u32);
            (32, IpAddr::V4(n.into()), IpAddr::V4(o.into()))
        } else {
            (128, IpAddr::V6(Ipv6Addr::from(net)), IpAddr::V6(Ipv6Addr::from(other)))
        };
        let text = format!("{net_ip}/{prefix}");
        let parsed = text.parse::<Cidr>();
        if prefix > max {
            prop_assert!(parsed.is_err());
            return Ok(());
        }
        let block = parsed.map_err(TestCaseError::fail)?;
        prop_assert!(block.contains(net_ip));
        let shared = if v4 {
            let shift = 32 - u32::from(prefix);
            (net as u32).checked_shr(shift).unwrap_or(0) == (other as u32).checked_shr(shift).unwrap_or(0)
        } else {
            let shift = 128 - u32::from(prefix);
            net.checked_shr(shift).unwrap_or(0) == other.checked_shr(shift).unwrap_or(0)
        };
        prop_assert_eq!(block.contains(other_ip), shared);
        // An address of the other family is never inside.
        let foreign = if v4 { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
        prop_assert!(!block.contains(foreign));
    }

    /// Any text given as `--trusted-proxy`: a block or an error, never a panic.
    #[test]
    fn cidr_parsing_survives_any_text(text in ".{0,60}") {
        let _ = text.parse::<Cidr>();
    }
}
