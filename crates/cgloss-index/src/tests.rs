//! Linking tests over small multi-file fixtures written inline, one
//! `//- /path` header per file (rust-analyzer style).

use super::*;

fn index(fixture: &str) -> Index {
    let mut files = Vec::new();
    for chunk in fixture.split("//- /").skip(1) {
        let (path, text) = chunk.split_once('\n').unwrap();
        files.push(cgloss_syntax::extract(path.trim(), text));
    }
    link(files)
}

/// One line per caller: `callee  <- caller path:line, …`.
fn callers_outline(index: &Index) -> String {
    let mut out = String::new();
    for id in index.all_functions() {
        let f = index.function(id);
        let callers: Vec<String> = index
            .callers(id)
            .iter()
            .map(|c| {
                format!(
                    "{} {}:{}",
                    index.function(*c).name,
                    index.path(*c),
                    index.function(*c).line
                )
            })
            .collect();
        out.push_str(&format!(
            "{} {}  <- {}\n",
            f.name,
            index.path(id),
            callers.join(", ")
        ));
    }
    out
}

#[test]
fn static_functions_resolve_per_file() {
    let index = index(
        "//- /a.c
static int helper(void) { return 1; }
int a(void) { return helper(); }
//- /b.c
static int helper(void) { return 2; }
int b(void) { return helper(); }
//- /c.c
int helper(void);
int c(void) { return helper(); }
",
    );
    assert_eq!(
        callers_outline(&index),
        "helper a.c  <- a a.c:2
a a.c  <- 
helper b.c  <- b b.c:2
b b.c  <- 
c c.c  <- 
"
    );
}

#[test]
fn header_stub_and_definition_are_both_callees() {
    let index = index(
        "//- /inc/x.h
#ifdef CONFIG_X
int x(void);
#else
static inline int x(void) { return 0; }
#endif
//- /x.c
/**
 * x - do the x thing
 */
int x(void) { return 1; }
//- /user.c
int user(void) { return x(); }
",
    );
    let from = index.file_id("user.c").unwrap();
    let targets = index.resolve_functions("x", from);
    assert_eq!(targets.len(), 2);
    let call = index.resolve_call("x", from).unwrap();
    assert_eq!(
        call.site,
        Site {
            path: "x.c",
            line: 4
        }
    );
    assert_eq!(call.doc.unwrap().summary, "do the x thing");
}

#[test]
fn prototype_doc_is_borrowed() {
    let index = index(
        "//- /t.h
/**
 * wake - wake a task
 * @t: the task
 */
int wake(int t);
//- /w.c
int wake(int t) { return t; }
",
    );
    let id = index.find_functions("wake", None)[0];
    let (doc, site) = index.function_doc(id).unwrap();
    assert_eq!(doc.summary, "wake a task");
    assert_eq!(site.path, "t.h");
    let call = index
        .resolve_call("wake", index.file_id("w.c").unwrap())
        .unwrap();
    assert_eq!(
        call.site,
        Site {
            path: "w.c",
            line: 1
        }
    );
    assert_eq!(call.params, vec!["t"]);
}

#[test]
fn ambiguous_member_is_not_unique() {
    let index = index(
        "//- /s.h
struct a { int count; /* a count */ int only_a; /* only in a */ };
struct b { int count; };
",
    );
    assert!(index.unique_owner("count").is_none());
    assert_eq!(index.unique_owner("only_a"), Some("struct a"));
    let MemberLookup::Found(m) = index.choose_record("struct a", 0, &[]).member("only_a") else {
        panic!("only_a is in struct a");
    };
    assert_eq!(m.fact.doc.as_ref().unwrap().summary, "only in a");
}

#[test]
fn record_choice_narrows_and_never_guesses() {
    let index = index(
        "//- /a.h
struct s { int x; /* a's x */ int only_a; };
//- /b.h
struct s { int x; /* b's x */ };
//- /uapi/s.h
struct s { int x; /* userspace x */ int only_a; };
//- /use.c
#include \"b.h\"
int f(void);
",
    );
    let from = index.file_id("use.c").unwrap();
    let doc = |c: &RecordChoice, m: &str| match c.member(m) {
        MemberLookup::Found(m) => m.fact.doc.as_ref().map(|d| d.summary.clone()),
        MemberLookup::Ambiguous(list) => Some(format!("ambiguous({})", list.len())),
        MemberLookup::Missing => None,
    };
    // Accessing only_a leaves a.h (the uapi copy goes, as another exists).
    let c = index.choose_record("struct s", from, &["x", "only_a"]);
    assert_eq!(doc(&c, "x").as_deref(), Some("a's x"));
    // Accessing x alone: use.c includes b.h.
    let c = index.choose_record("struct s", from, &["x"]);
    assert_eq!(doc(&c, "x").as_deref(), Some("b's x"));
    // From a file including neither, a.h and b.h disagree.
    let c = index.choose_record("struct s", index.file_id("a.h").unwrap(), &["x"]);
    assert_eq!(doc(&c, "x").as_deref(), Some("a's x"), "same file first");
    let c = index.choose_record("struct s", index.file_id("uapi/s.h").unwrap(), &[]);
    assert_eq!(c.definitions().len(), 1, "same file first, even uapi");
}

#[test]
fn referenced_by_ops_table() {
    let index = index(
        "//- /f.c
static int f_open(int x) { return x; }
static const struct ops f_ops = { .open = f_open };
",
    );
    let id = index.find_functions("f_open", None)[0];
    let refs = index.referrers(id);
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].name, "f_ops");
}

/// `name: return type [static]` for every function and prototype.
fn return_types(index: &Index) -> String {
    let mut out = String::new();
    for f in index.files() {
        for d in &f.functions {
            let st = if d.is_static { " static" } else { "" };
            out.push_str(&format!("{}: {}{st}\n", d.name, d.return_type));
        }
        for p in &f.prototypes {
            out.push_str(&format!("proto {}: {}\n", p.name, p.return_type));
        }
    }
    out
}

#[test]
fn export_macros_expand_with_the_trees_defines() {
    let index = index(
        r#"//- /luaconf.h
#ifdef DLL
#define LUA_API __declspec(dllexport)
#else
#define LUA_API extern
#endif
#define LUALIB_API LUA_API
#define LUAI_FUNC static
#define MAYBE_STATIC static
#define ZEXPORT WINAPI
#ifndef ZEXPORT
#define ZEXPORT
#endif
#define ZEXTERN extern
#define ONLY_UNKNOWN WINAPI
#define GIT_EXTERN(type) extern __attribute__((visibility("default"))) type
#define GIT_INLINE(type) static __inline type
#define TWICE(type) type type
#define REAL double
#define TARGET_ATTRIBUTE(target) __attribute__((__target__(target)))
#define BMI2_TARGET_ATTRIBUTE TARGET_ATTRIBUTE("lzcnt,bmi,bmi2")
#define PASS(type) type
#define MADE PASS(int)
typedef unsigned long uLong;
LUA_API int lua_gettop(void *L);
ZEXTERN uLong ZEXPORT compressBound(uLong n);
//- /a.c
#ifdef ONE
#define MAYBE_STATIC
#endif
LUALIB_API int a1(void) { return 0; }
LUAI_FUNC int a2(void) { return 0; }
MAYBE_STATIC int a3(void) { return 0; }
uLong ZEXPORT compressBound(uLong n) { return n; }
GIT_EXTERN(const char *) a4(void) { return 0; }
GIT_INLINE(int) a5(void) { return 0; }
TWICE(int) a6(void) { return 0; }
LUA_API REAL a7(void) { return 0; }
ONLY_UNKNOWN int a8(void) { return 0; }
BMI2_TARGET_ATTRIBUTE uLong a9(void) { return 0; }
MADE uLong a10(void) { return 0; }
"#,
    );
    assert_eq!(
        return_types(&index),
        "a1: int
a2: int static
a3: int
compressBound: uLong
a4: const char *
a5: int static
a6: TWICE(int)
a7: REAL
a8: ONLY_UNKNOWN int
a9: uLong
a10: MADE uLong
proto lua_gettop: int
proto compressBound: uLong
"
    );
}

#[test]
fn a_static_export_macro_hides_the_function() {
    let index = index(
        "//- /defs.h
#define LUAI_FUNC static
//- /a.c
LUAI_FUNC int helper(void) { return 1; }
int a(void) { return helper(); }
//- /b.c
int helper(void) { return 2; }
//- /c.c
int c(void) { return helper(); }
",
    );
    assert_eq!(
        callers_outline(&index),
        "helper a.c  <- a a.c:2
a a.c  <- 
helper b.c  <- c c.c:1
c c.c  <- 
"
    );
}
