//! The store gives back exactly what extraction produced:
//! `load_all(prepare(facts)) == facts`, file by file, on every file of the
//! Linux fixture (and on a small tree written here, so the test means
//! something without `../shared`).

use std::path::Path;

use cgloss_facts::FileFacts;
use cgloss_store::{prepare, FileState, Outcome, Store};

fn round_trip(files: Vec<FileFacts>) {
    let dir = std::env::temp_dir().join(format!("cgloss-round-trip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("index.sqlite");
    let mut store = Store::create(&db, &dir).unwrap();
    {
        let mut writer = store.writer().unwrap();
        for f in &files {
            let state = FileState {
                size: 1,
                mtime_ns: 1,
                hash: "0".into(),
            };
            let encoded = prepare(&f.path, state, Outcome::Indexed(Box::new(f.clone())), None);
            writer.put(&encoded).unwrap();
        }
        writer.commit().unwrap();
    }
    let store = store.finish(&db).unwrap();
    let mut loaded = store.load_all().unwrap();
    let mut files = files;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    loaded.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(loaded.len(), files.len());
    for (a, b) in files.iter().zip(&loaded) {
        assert_eq!(a, b, "{} changed in the store", a.path);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_small_tree_round_trips() {
    let files = [
        (
            "a.h",
            "#include <linux/x.h>\n/** f - do f\n * @x: the x\n */\nint f(int x);\n#define current get_current()\n#define ENOMEM 12 /* out of memory */\nstruct s { int a; /* the a */ };\n#ifndef __KERNEL__\nstruct u { int b; };\n#endif\nenum e { E1, /* one */ E2 };\ntypedef struct s s_t;\n",
        ),
        (
            "errno.h",
            "#define EPERM 1 /* not permitted */\n",
        ),
        (
            "b.c",
            "#include \"a.h\"\nstatic DEFINE_PER_CPU(struct s, pcpu);\n/* plain */\nint f(int x)\n{\n\treturn x + g(pcpu.a);\n}\nstatic void stub(void) { }\nstruct ops o = { .f = f };\n",
        ),
    ];
    round_trip(
        files
            .iter()
            .map(|(path, text)| cgloss_syntax::extract(path, text))
            .collect(),
    );
}

#[test]
fn the_fixture_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/linux-5.5.9");
    if !root.is_dir() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "../shared/fixtures missing under CI=true"
        );
        eprintln!("skipped: ../shared/fixtures is absent");
        return;
    }
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "c" || e == "h") {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push(cgloss_syntax::extract(&rel, &text));
            }
        }
    }
    assert!(files.len() > 5000, "{}", files.len());
    round_trip(files);
}
