//! Property: rendering any small C function (well-formed or with stray
//! tokens) never panics, and every rendered line carries a line number
//! inside the function.

mod support;

use proptest::prelude::*;

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("p->x".to_string()),
        Just("q.inner.y".to_string()),
        Just("LIMIT".to_string()),
        Just("-EINVAL".to_string()),
        (0u32..100).prop_map(|n| n.to_string()),
        Just("\"s\\n\"".to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "==", "<", "&&", "|", "=", "+="]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("{l} {op} {r}")),
            inner.clone().prop_map(|e| format!("!({e})")),
            inner.clone().prop_map(|e| format!("(long){e}")),
            inner.clone().prop_map(|e| format!("sizeof({e})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("helper({x}, {y})")),
            inner
                .clone()
                .prop_map(|e| format!("container_of({e}, struct s, inner)->x")),
        ]
    })
}

fn stmt() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        expr().prop_map(|e| format!("{e};")),
        expr().prop_map(|e| format!("return {e};")),
        Just("break;".to_string()),
        Just("continue;".to_string()),
        Just("goto out;".to_string()),
        expr().prop_map(|e| format!("int v = {e};")),
        Just("a = ) 2 +;".to_string()),
        Just("asm volatile(\"nop\");".to_string()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (expr(), inner.clone()).prop_map(|(c, s)| format!("if ({c})\n\t{s}")),
            (expr(), inner.clone(), inner.clone())
                .prop_map(|(c, s, t)| format!("if ({c}) {{\n{s}\n}} else\n{t}")),
            (expr(), inner.clone()).prop_map(|(c, s)| format!("while ({c})\n{s}")),
            (expr(), inner.clone()).prop_map(|(c, s)| format!("for (a = 0; {c}; a++)\n{s}")),
            (inner.clone(), expr()).prop_map(|(s, c)| format!("do {{\n{s}\n}} while ({c});")),
            (expr(), inner.clone(), inner.clone()).prop_map(|(c, s, t)| format!(
                "switch ({c}) {{\ncase 1:\n{s}\ncase 2 ... 4:\n{t}\ndefault:\nbreak;\n}}"
            )),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("{{\n{}\n}}", v.join("\n"))),
            inner
                .clone()
                .prop_map(|s| format!("list_for_each(p, &q) {{\n{s}\n}}")),
            inner
                .clone()
                .prop_map(|s| format!("for_each_thing(a)\n{s}")),
            inner
                .clone()
                .prop_map(|s| format!("#ifdef CONFIG_X\n{s}\n#else\n{s}\n#endif")),
            inner.clone().prop_map(|s| format!("out:\n{s}")),
        ]
    })
}

const HEADER: &str = "/**
 * helper - do the helping
 * @x: first
 * @y: second
 */
int helper(int x, int y);
#define LIMIT 10 /* the limit */
#define EINVAL 22 /* Invalid argument */
struct s { int x; /* an x */ struct { int y; /* a y */ } inner; };
";

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_small_function_renders(body in prop::collection::vec(stmt(), 0..6), blank_lines in 0usize..3) {
        let text = format!(
            "{HEADER}\nint f(int a, int b, struct s *p)\n{{\n\tstruct s q;\n{}{}\n}}\n",
            "\n".repeat(blank_lines),
            body.join("\n")
        );
        support::render_everything(&text);
    }
}
