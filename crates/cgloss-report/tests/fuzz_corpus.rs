//! The inputs the fuzzers found interesting (`fuzz/corpus/*/`, crashes
//! fixed included) run through every stage on each test run.

mod support;

use std::path::Path;

#[test]
fn fuzz_corpus_regressions() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut n = 0;
    for target in ["extract", "render"] {
        let dir = corpus.join(target);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let result = std::panic::catch_unwind(|| support::render_everything(&text));
            assert!(result.is_ok(), "{} panics", path.display());
            n += 1;
        }
    }
    assert!(n >= 10, "corpus too small: {n}");
}
