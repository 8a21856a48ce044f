//! Parse and extract the facts of one file of arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let facts = cgloss_syntax::extract("fuzz.c", &text);
    let _ = facts.outline();
});
