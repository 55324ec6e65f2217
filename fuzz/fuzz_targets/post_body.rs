//! The JSON body parser of votes, events, beacons and feedback on any bytes: a value or
//! a 400, nothing else.
#![no_main]

use casm_feed::http::{body, error::ApiError};
use casm_model::api::{EventRequest, FeedbackRequest, VoteRequest};
use libfuzzer_sys::fuzz_target;

fn check<T: serde::de::DeserializeOwned>(data: &[u8]) {
    match body::parse::<T>(data) {
        Ok(_) | Err(ApiError::BadRequest { .. }) => {}
        Err(other) => panic!("{other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    check::<EventRequest>(data);
    check::<VoteRequest>(data);
    check::<FeedbackRequest>(data);
});
