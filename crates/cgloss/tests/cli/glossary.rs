//! `cgloss glossary`: missing, stats, check and translate on a small tree
//! of the test's own, with shell scripts standing in for the translator.

use std::path::Path;
use std::time::Instant;

use crate::{cgloss, stderr, stdout};

/// A tree whose Chinese reports show five distinct glosses: `grab`'s
/// summary (twice: its own and as the callee of `use_it`), `release`'s,
/// `use_it`'s, the member `struct box.count` and the parameter `b`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("box.c"),
        "struct box {\n\tint count; /* how many things are inside */\n};\n\n\
         /**\n * grab - take a reference to the box\n * @b: the box to take\n */\n\
         void grab(struct box *b)\n{\n\tb->count++;\n}\n\n\
         /* Drop a reference to the box. */\n\
         void release(struct box *b)\n{\n\tb->count--;\n}\n\n\
         /* Use the box once. */\n\
         void use_it(struct box *b)\n{\n\tgrab(b);\n\trelease(b);\n}\n",
    )
    .unwrap();
    dir
}

fn run(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["glossary"];
    all.extend_from_slice(&args[..1]);
    all.extend(["--root", root.to_str().unwrap()]);
    all.extend_from_slice(&args[1..]);
    cgloss(&all)
}

/// The `[glosses]` entries of a file, as (English, Chinese).
fn entries(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let value: toml::Table = toml::from_str(&text).expect("a TOML file");
    value["glosses"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn missing_then_stats_with_a_filled_file() {
    let dir = tree();
    let out = run(dir.path(), &["missing"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let filled = dir.path().join("filled.toml");
    std::fs::write(&filled, &text).unwrap();
    let keys: Vec<String> = entries(&filled).into_iter().map(|(k, _)| k).collect();
    // Most frequent first, then alphabetical: each summary shows three
    // times (its own, as a callee or caller, and in a body or twice as a
    // caller), the member twice, the parameter's doc once.
    assert_eq!(keys.len(), 5, "{text}");
    assert!(
        text.contains("5 distinct, 12 of 12 gloss occurrences"),
        "{text}"
    );
    let order: Vec<usize> = ["drop a", "take a", "use the", "how many", "the box to"]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.contains("# 3 × grab, box.c:9\n\"take a reference to the box\" = \"\"\n"),
        "{text}"
    );
    for k in [
        "take a reference to the box",
        "drop a reference to the box",
        "use the box once",
        "how many things are inside",
        "the box to take",
    ] {
        assert!(keys.contains(&k.to_string()), "{k}: {keys:?}");
    }
    let stats = stdout(&run(dir.path(), &["stats"]));
    assert!(
        stats.contains("functions rendered in Chinese: 3"),
        "{stats}"
    );
    assert!(
        stats
            .lines()
            .any(|l| l.starts_with("all") && l.ends_with(" 0.0%")),
        "{stats}"
    );
    // Fill one entry in: its three occurrences of twelve are translated.
    std::fs::write(
        &filled,
        text.replace(
            "\"take a reference to the box\" = \"\"",
            "\"take a reference to the box\" = \"获取盒子的引用\"",
        ),
    )
    .unwrap();
    let stats = stdout(&run(
        dir.path(),
        &["stats", "--glossary", filled.to_str().unwrap()],
    ));
    let all = stats.lines().find(|l| l.starts_with("all")).unwrap();
    assert_eq!(
        all.split_whitespace().collect::<Vec<_>>(),
        ["all", "12", "3", "25.0%"],
        "{stats}"
    );
    let report = cgloss(&[
        "report",
        "--root",
        dir.path().to_str().unwrap(),
        "--lang",
        "zh",
        "--glossary",
        filled.to_str().unwrap(),
        "use_it",
    ]);
    assert!(
        stdout(&report).contains("获取盒子的引用 (b: b)"),
        "{}",
        stdout(&report)
    );
    let missing = stdout(&run(
        dir.path(),
        &["missing", "--glossary", filled.to_str().unwrap()],
    ));
    assert!(!missing.contains("take a reference"), "{missing}");
}

#[test]
fn translate_writes_each_answer_and_goes_on_where_it_stopped() {
    let dir = tree();
    let out_file = dir.path().join("mine.toml");
    let out = |cmd: &str, extra: &[&str]| {
        let mut args = vec![
            "translate",
            "--command",
            cmd,
            "-o",
            out_file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(dir.path(), &args)
    };
    // Answers two lines, then exits: two kept, status 2.
    let short = out("head -n 2 | sed 's/^/译：/'", &[]);
    assert_eq!(short.status.code(), Some(2), "{}", stderr(&short));
    assert!(
        stderr(&short).contains("stopped early")
            && stderr(&short).contains("2 translations written"),
        "{}",
        stderr(&short)
    );
    let got = entries(&out_file);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got.iter()
            .find(|(k, _)| k == "take a reference to the box")
            .unwrap()
            .1,
        "译：take a reference to the box"
    );
    // Hangs after one answer: stopped after the timeout, one more kept.
    let start = Instant::now();
    let hang = out("read -r l; echo \"挂：$l\"; sleep 30", &["--timeout", "1"]);
    assert_eq!(hang.status.code(), Some(2), "{}", stderr(&hang));
    assert!(start.elapsed().as_secs() < 20, "the timeout stops it");
    assert!(
        stderr(&hang).contains("no answer for 1s"),
        "{}",
        stderr(&hang)
    );
    assert_eq!(entries(&out_file).len(), 3);
    // Fails at once: nothing lost.
    let fail = out("exit 3", &[]);
    assert_eq!(fail.status.code(), Some(2));
    assert_eq!(entries(&out_file).len(), 3);
    // A good translator finishes the rest; an empty answer is no entry.
    let good = out(
        "while read -r l; do case \"$l\" in how*) echo;; *) echo \"好：$l\";; esac; done",
        &[],
    );
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let got = entries(&out_file);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(!got.iter().any(|(k, _)| k == "how many things are inside"));
    // The file is a glossary `check` finds nothing wrong with, tree included.
    let check = cgloss(&[
        "glossary",
        "check",
        out_file.to_str().unwrap(),
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    // A file translate did not write is not overwritten.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[symbols]\nx = \"y\"\n").unwrap();
    let refused = run(
        dir.path(),
        &[
            "translate",
            "--command",
            "cat",
            "-o",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("was not written by"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "[symbols]\nx = \"y\"\n"
    );
}

#[test]
fn check_reports_problems_with_status_1() {
    let dir = tree();
    let file = dir.path().join("g.toml");
    std::fs::write(
        &file,
        "[glosses]\n\"Use the box once.\" = \"使用一次\"\n\"use the box once\" = \"用一次\"\n\
         \"the spinlock is held\" = \"锁已持有\"\n\"no longer in the tree\" = \"不在了\"\n",
    )
    .unwrap();
    let out = cgloss(&[
        "glossary",
        "check",
        file.to_str().unwrap(),
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("is the same entry as"), "{text}");
    assert!(
        text.contains("the term \"spinlock\" is translated \"自旋锁\" elsewhere"),
        "{text}"
    );
    assert!(
        text.contains("\"no longer in the tree\": no report of this tree shows it"),
        "{text}"
    );
    assert!(text.contains("problems"), "{text}");
    std::fs::write(&file, "[glosses\n").unwrap();
    let out = cgloss(&["glossary", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("line 1"), "{}", stdout(&out));
}
