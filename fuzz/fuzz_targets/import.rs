//! The catalogue importer (`casm-feed import`, `POST /v1/admin/import`) on any bytes:
//! it must answer, and an accepted catalogue must pass validation again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(catalogue) = casm_feed::store::parse_catalogue(data) {
        assert!(casm_model::validate::catalogue(&catalogue).is_ok());
    }
});
