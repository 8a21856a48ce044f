//! Render every function report of one file of arbitrary bytes, in both
//! languages, as text and JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/cgloss-report/tests/support/mod.rs"]
mod support;

fuzz_target!(|data: &[u8]| {
    support::render_everything(&String::from_utf8_lossy(data));
});
