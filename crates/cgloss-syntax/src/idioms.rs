//! Kernel idioms as data: one table of the macro names and name patterns
//! whose meaning cgloss needs, because no parse of unpreprocessed C can
//! tell it. Every stage asks here instead of naming a macro itself: the
//! pre-pass (annotations to blank, loop macros, function-defining macros),
//! extraction (variable-defining macros, errno constants) and lowering
//! (calls whose value has a type their arguments name, marked in the IR so
//! the renderer names no kernel macro).

use std::collections::HashMap;
use std::sync::OnceLock;

use cgloss_facts::{TypeRef, TypedBy};

/// What a name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idiom {
    /// Carries no meaning for a reader and confuses the grammar: blanked by
    /// the pre-pass (`__init`, `__user`); with `(…)` when `true`
    /// (`__printf(1, 2)`, BPF selftests' `SEC("socket")`), and then only
    /// when the `(` follows.
    Annotation(bool),
    /// `NAME(args) stmt` is a loop whose body is `stmt`, even without braces.
    LoopMacro,
    /// `DEFINE_MUTEX(m)` defines the variable named by its first argument,
    /// of this type and pointer depth.
    DefinesVariable(&'static str, u8),
    /// `DEFINE_PER_CPU(type, name)` defines `name` of the type given first.
    DefinesTypedVariable,
    /// A call's value has a type its arguments name.
    Typed(TypedBy),
    /// `PREFIXn(name, type, arg, …) { … }` defines the function `<rename>name`
    /// whose parameters are the (type, arg) pairs.
    DefinesFunction(Rename),
}

/// How a function-defining macro names its function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rename {
    /// `sys_` + name, returning `long`.
    Syscall,
    /// `compat_sys_` + name, returning `long`.
    CompatSyscall,
    /// The name as written, returning this type (BPF helpers: `u64`).
    Plain(&'static str),
}

impl Rename {
    /// The defined function's name and return type.
    pub fn apply(self, name: &str) -> (String, &'static str) {
        match self {
            Rename::Syscall => (format!("sys_{name}"), "long"),
            Rename::CompatSyscall => (format!("compat_sys_{name}"), "long"),
            Rename::Plain(ty) => (name.to_string(), ty),
        }
    }

    /// Whether the macro's arguments after the name are `type, name`
    /// pairs (`SYSCALL_DEFINE3(open, const char __user *, filename, …)`),
    /// which the pre-pass rewrites into a parameter list.
    pub fn pairs(self) -> bool {
        !matches!(self, Rename::Plain("void"))
    }
}

/// How a table row matches a name.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    Exact(&'static str),
    Contains(&'static str),
    Prefix(&'static str),
    Suffix(&'static str),
    /// The prefix followed by one digit (`SYSCALL_DEFINE3`).
    PrefixDigit(&'static str),
}

use Idiom::*;
use Pattern::*;
use TypedBy::*;

/// The table. Exact names are looked up through a hash map; the patterns
/// are tried in order after them.
const TABLE: &[(Pattern, Idiom)] = &[
    (Exact("__init"), Annotation(false)),
    (Exact("__exit"), Annotation(false)),
    (Exact("__initdata"), Annotation(false)),
    (Exact("__initconst"), Annotation(false)),
    (Exact("__exitdata"), Annotation(false)),
    (Exact("__ref"), Annotation(false)),
    (Exact("__refdata"), Annotation(false)),
    (Exact("__refconst"), Annotation(false)),
    (Exact("__meminit"), Annotation(false)),
    (Exact("__meminitdata"), Annotation(false)),
    (Exact("__meminitconst"), Annotation(false)),
    (Exact("__init_memblock"), Annotation(false)),
    (Exact("__initdata_memblock"), Annotation(false)),
    (Exact("__devinit"), Annotation(false)),
    (Exact("__cpuinit"), Annotation(false)),
    (Exact("__net_init"), Annotation(false)),
    (Exact("__net_exit"), Annotation(false)),
    (Exact("__net_initdata"), Annotation(false)),
    (Exact("__sched"), Annotation(false)),
    (Exact("__kprobes"), Annotation(false)),
    (Exact("__read_mostly"), Annotation(false)),
    (Exact("__ro_after_init"), Annotation(false)),
    (Exact("__cacheline_aligned"), Annotation(false)),
    (Exact("__cacheline_aligned_in_smp"), Annotation(false)),
    (Exact("____cacheline_aligned"), Annotation(false)),
    (Exact("____cacheline_aligned_in_smp"), Annotation(false)),
    (
        Exact("____cacheline_internodealigned_in_smp"),
        Annotation(false),
    ),
    (Exact("__page_aligned_data"), Annotation(false)),
    (Exact("__page_aligned_bss"), Annotation(false)),
    (Exact("__packed"), Annotation(false)),
    (Exact("__used"), Annotation(false)),
    (Exact("__maybe_unused"), Annotation(false)),
    (Exact("__always_unused"), Annotation(false)),
    (Exact("__weak"), Annotation(false)),
    (Exact("__pure"), Annotation(false)),
    (Exact("__malloc"), Annotation(false)),
    (Exact("__noreturn"), Annotation(false)),
    (Exact("noinline"), Annotation(false)),
    (Exact("noinline_for_stack"), Annotation(false)),
    (Exact("__noinline"), Annotation(false)),
    (Exact("__noclone"), Annotation(false)),
    (Exact("__visible"), Annotation(false)),
    (Exact("__latent_entropy"), Annotation(false)),
    (Exact("__randomize_layout"), Annotation(false)),
    (Exact("__no_randomize_layout"), Annotation(false)),
    (Exact("__designated_init"), Annotation(false)),
    (Exact("__nocfi"), Annotation(false)),
    (Exact("__noscs"), Annotation(false)),
    (Exact("__no_sanitize_address"), Annotation(false)),
    (Exact("__no_kcsan"), Annotation(false)),
    (Exact("__no_kasan_or_inline"), Annotation(false)),
    (Exact("noinstr"), Annotation(false)),
    (Exact("__flatten"), Annotation(false)),
    (Exact("__cold"), Annotation(false)),
    (Exact("__hot"), Annotation(false)),
    (Exact("__deprecated"), Annotation(false)),
    (Exact("__must_check"), Annotation(false)),
    (Exact("__nonstring"), Annotation(false)),
    (Exact("__user"), Annotation(false)),
    (Exact("__iomem"), Annotation(false)),
    (Exact("__percpu"), Annotation(false)),
    (Exact("__rcu"), Annotation(false)),
    (Exact("__force"), Annotation(false)),
    (Exact("__kernel"), Annotation(false)),
    (Exact("__bitwise"), Annotation(false)),
    (Exact("__nocast"), Annotation(false)),
    (Exact("__safe"), Annotation(false)),
    (Exact("__private"), Annotation(false)),
    (Exact("__exception_irq_entry"), Annotation(false)),
    (Exact("__irq_entry"), Annotation(false)),
    (Exact("__softirq_entry"), Annotation(false)),
    (Exact("__always_inline"), Annotation(false)),
    (Exact("__gnu_inline"), Annotation(false)),
    (Exact("__naked"), Annotation(false)),
    (Exact("asmlinkage"), Annotation(false)),
    (Exact("notrace"), Annotation(false)),
    (Exact("__notrace_funcgraph"), Annotation(false)),
    (Exact("__lockfunc"), Annotation(false)),
    (Exact("__bpf_kfunc"), Annotation(false)),
    (Exact("__nosavedata"), Annotation(false)),
    (Exact("__cpuidle"), Annotation(false)),
    (Exact("__attribute_const__"), Annotation(false)),
    (Exact("__nostackprotector"), Annotation(false)),
    (Exact("__ksym"), Annotation(false)),
    (Exact("__init_or_module"), Annotation(false)),
    (Exact("__initdata_or_module"), Annotation(false)),
    (Exact("randomized_struct_fields_start"), Annotation(false)),
    (Exact("randomized_struct_fields_end"), Annotation(false)),
    (Exact("__printf"), Annotation(true)),
    (Exact("__scanf"), Annotation(true)),
    (Exact("__aligned"), Annotation(true)),
    (Exact("__section"), Annotation(true)),
    (Exact("__releases"), Annotation(true)),
    (Exact("__acquires"), Annotation(true)),
    (Exact("__must_hold"), Annotation(true)),
    (Exact("__alloc_size"), Annotation(true)),
    (Exact("__assume_aligned"), Annotation(true)),
    (Exact("__counted_by"), Annotation(true)),
    (Exact("__free"), Annotation(true)),
    (Exact("__cleanup"), Annotation(true)),
    (Exact("__guarded_by"), Annotation(true)),
    (Exact("__pt_guarded_by"), Annotation(true)),
    (Exact("__diag_ignore"), Annotation(true)),
    (Exact("__success"), Annotation(false)),
    (Exact("__success_unpriv"), Annotation(false)),
    (Exact("__failure"), Annotation(false)),
    (Exact("__failure_unpriv"), Annotation(false)),
    (Exact("__auxiliary"), Annotation(false)),
    (Exact("__auxiliary_unpriv"), Annotation(false)),
    (Exact("__arch_x86_64"), Annotation(false)),
    (Exact("__arch_arm64"), Annotation(false)),
    (Exact("__arch_riscv64"), Annotation(false)),
    (Exact("__arg_ctx"), Annotation(false)),
    (Exact("__arg_nonnull"), Annotation(false)),
    (Exact("__arg_nullable"), Annotation(false)),
    (Exact("__arg_trusted"), Annotation(false)),
    (Exact("__arg_arena"), Annotation(false)),
    (Exact("__no_stack_protector"), Annotation(false)),
    (Exact("__no_caller_saved_registers"), Annotation(false)),
    (Exact("__FORTIFY_INLINE"), Annotation(false)),
    (Exact("__noinstr_section"), Annotation(false)),
    (Exact("__no_profile"), Annotation(false)),
    (Exact("__no_sanitize_undefined"), Annotation(false)),
    (Exact("__nocfi_generic"), Annotation(false)),
    (Exact("SEC"), Annotation(true)),
    (Exact("__description"), Annotation(true)),
    (Exact("__msg"), Annotation(true)),
    (Exact("__msg_unpriv"), Annotation(true)),
    (Exact("__retval"), Annotation(true)),
    (Exact("__retval_unpriv"), Annotation(true)),
    (Exact("__flag"), Annotation(true)),
    (Exact("__log_level"), Annotation(true)),
    (Exact("__xlated"), Annotation(true)),
    (Exact("__xlated_unpriv"), Annotation(true)),
    (Exact("__jited"), Annotation(true)),
    (Exact("__jited_unpriv"), Annotation(true)),
    (Exact("__arch"), Annotation(true)),
    (Exact("__btf_path"), Annotation(true)),
    (Exact("__exception_cb"), Annotation(true)),
    (Exact("__caps_unpriv"), Annotation(true)),
    (Exact("__realloc_size"), Annotation(true)),
    (Exact("__diagnose_as"), Annotation(true)),
    (Exact("__check_format_printf"), Annotation(true)),
    (Exact("__nonstring_array"), Annotation(true)),
    (Exact("__counted_by_le"), Annotation(true)),
    (Exact("__counted_by_be"), Annotation(true)),
    (Contains("for_each"), LoopMacro),
    (Contains("foreach"), LoopMacro),
    (Contains("scoped_guard"), LoopMacro),
    (Contains("do_each_"), LoopMacro),
    (Exact("DEFINE_MUTEX"), DefinesVariable("struct mutex", 0)),
    (Exact("DEFINE_SPINLOCK"), DefinesVariable("spinlock_t", 0)),
    (
        Exact("DEFINE_RAW_SPINLOCK"),
        DefinesVariable("raw_spinlock_t", 0),
    ),
    (Exact("DEFINE_RWLOCK"), DefinesVariable("rwlock_t", 0)),
    (
        Exact("DEFINE_SEMAPHORE"),
        DefinesVariable("struct semaphore", 0),
    ),
    (
        Exact("DECLARE_RWSEM"),
        DefinesVariable("struct rw_semaphore", 0),
    ),
    (Exact("LIST_HEAD"), DefinesVariable("struct list_head", 0)),
    (Exact("HLIST_HEAD"), DefinesVariable("struct hlist_head", 0)),
    (Exact("LLIST_HEAD"), DefinesVariable("struct llist_head", 0)),
    (Exact("DEFINE_IDR"), DefinesVariable("struct idr", 0)),
    (Exact("DEFINE_IDA"), DefinesVariable("struct ida", 0)),
    (
        Exact("DECLARE_WAIT_QUEUE_HEAD"),
        DefinesVariable("wait_queue_head_t", 0),
    ),
    (
        Exact("DECLARE_WAIT_QUEUE_HEAD_ONSTACK"),
        DefinesVariable("wait_queue_head_t", 0),
    ),
    (
        Exact("DEFINE_WAIT"),
        DefinesVariable("struct wait_queue_entry", 0),
    ),
    (
        Exact("DEFINE_WAIT_FUNC"),
        DefinesVariable("struct wait_queue_entry", 0),
    ),
    (
        Exact("DECLARE_WAITQUEUE"),
        DefinesVariable("wait_queue_entry_t", 0),
    ),
    (
        Exact("DECLARE_COMPLETION"),
        DefinesVariable("struct completion", 0),
    ),
    (
        Exact("DECLARE_COMPLETION_ONSTACK"),
        DefinesVariable("struct completion", 0),
    ),
    (
        Exact("DEFINE_SRCU"),
        DefinesVariable("struct srcu_struct", 0),
    ),
    (
        Exact("DEFINE_STATIC_SRCU"),
        DefinesVariable("struct srcu_struct", 0),
    ),
    (Exact("DEFINE_XARRAY"), DefinesVariable("struct xarray", 0)),
    (
        Exact("DEFINE_XARRAY_ALLOC"),
        DefinesVariable("struct xarray", 0),
    ),
    (
        Exact("DEFINE_XARRAY_ALLOC1"),
        DefinesVariable("struct xarray", 0),
    ),
    (
        Exact("DEFINE_XARRAY_FLAGS"),
        DefinesVariable("struct xarray", 0),
    ),
    (
        Exact("DEFINE_RATELIMIT_STATE"),
        DefinesVariable("struct ratelimit_state", 0),
    ),
    (Exact("DECLARE_BITMAP"), DefinesVariable("unsigned long", 1)),
    (
        Exact("DECLARE_WORK"),
        DefinesVariable("struct work_struct", 0),
    ),
    (
        Exact("DECLARE_DELAYED_WORK"),
        DefinesVariable("struct delayed_work", 0),
    ),
    (
        Exact("DECLARE_DEFERRABLE_WORK"),
        DefinesVariable("struct delayed_work", 0),
    ),
    (
        Exact("DEFINE_TIMER"),
        DefinesVariable("struct timer_list", 0),
    ),
    (
        Exact("DEFINE_STATIC_KEY_FALSE"),
        DefinesVariable("struct static_key_false", 0),
    ),
    (
        Exact("DEFINE_STATIC_KEY_TRUE"),
        DefinesVariable("struct static_key_true", 0),
    ),
    (Exact("DEFINE_SEQLOCK"), DefinesVariable("seqlock_t", 0)),
    (Prefix("DEFINE_PER_CPU"), DefinesTypedVariable),
    (Prefix("DECLARE_PER_CPU"), DefinesTypedVariable),
    (Contains("container_of"), Typed(TypeArgPointer)),
    (Suffix("_entry"), Typed(TypeArgPointer)),
    (Suffix("_entry_safe"), Typed(TypeArgPointer)),
    (Suffix("_entry_or_null"), Typed(TypeArgPointer)),
    (Suffix("_entry_rcu"), Typed(TypeArgPointer)),
    (Exact("min_t"), Typed(TypeArg)),
    (Exact("max_t"), Typed(TypeArg)),
    (Exact("clamp_t"), Typed(TypeArg)),
    (Exact("READ_ONCE"), Typed(FirstArg)),
    (Exact("ACCESS_ONCE"), Typed(FirstArg)),
    (Exact("data_race"), Typed(FirstArg)),
    (Exact("smp_load_acquire"), Typed(FirstArg)),
    (Exact("rcu_access_pointer"), Typed(FirstArg)),
    (Exact("rcu_dereference_check"), Typed(FirstArg)),
    (Prefix("rcu_dereference"), Typed(FirstArg)),
    (Prefix("srcu_dereference"), Typed(FirstArg)),
    (Exact("lockless_dereference"), Typed(FirstArg)),
    (Exact("this_cpu_ptr"), Typed(FirstArg)),
    (Exact("raw_cpu_ptr"), Typed(FirstArg)),
    (Exact("per_cpu_ptr"), Typed(FirstArg)),
    (Exact("per_cpu"), Typed(FirstArg)),
    (Exact("this_cpu_read"), Typed(FirstArg)),
    (Exact("raw_cpu_read"), Typed(FirstArg)),
    (Exact("__this_cpu_read"), Typed(FirstArg)),
    (
        PrefixDigit("COMPAT_SYSCALL_DEFINE"),
        DefinesFunction(Rename::CompatSyscall),
    ),
    (
        PrefixDigit("SYSCALL_DEFINE"),
        DefinesFunction(Rename::Syscall),
    ),
    (
        PrefixDigit("SYSCALL32_DEFINE"),
        DefinesFunction(Rename::Syscall),
    ),
    (
        PrefixDigit("PPC32_SYSCALL_DEFINE"),
        DefinesFunction(Rename::Syscall),
    ),
    (
        PrefixDigit("BPF_CALL_"),
        DefinesFunction(Rename::Plain("u64")),
    ),
    (
        Prefix("DEFINE_IDTENTRY"),
        DefinesFunction(Rename::Plain("void")),
    ),
];

/// A small fast hash for identifiers (the pre-pass asks the table about
/// every identifier of the tree; SipHash showed in the profile).
#[derive(Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The table, compiled for lookups: exact names hashed; the patterns in
/// table order, each tried only when the name's first byte (prefixes) or
/// last byte (suffixes) can match.
struct Compiled {
    exact: HashMap<&'static str, Idiom, std::hash::BuildHasherDefault<NameHasher>>,
    patterns: Vec<(Pattern, Idiom)>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut exact = HashMap::default();
        let mut patterns = Vec::new();
        for &(pattern, idiom) in TABLE {
            match pattern {
                Exact(name) => {
                    exact.entry(name).or_insert(idiom);
                }
                _ => patterns.push((pattern, idiom)),
            }
        }
        Compiled { exact, patterns }
    })
}

fn matches(pattern: Pattern, name: &str) -> bool {
    let (first, last) = (name.as_bytes()[0], name.as_bytes()[name.len() - 1]);
    match pattern {
        Exact(_) => false,
        Contains(p) => name.contains(p),
        Prefix(p) => first == p.as_bytes()[0] && name.starts_with(p),
        Suffix(p) => last == p.as_bytes()[p.len() - 1] && name.ends_with(p),
        PrefixDigit(p) => {
            name.len() == p.len() + 1
                && first == p.as_bytes()[0]
                && name.starts_with(p)
                && last.is_ascii_digit()
        }
    }
}

/// What `name` means, if it is a known idiom.
pub fn idiom(name: &str) -> Option<Idiom> {
    if name.is_empty() {
        return None;
    }
    let c = compiled();
    if let Some(&i) = c.exact.get(name) {
        return Some(i);
    }
    c.patterns
        .iter()
        .find(|&&(p, _)| matches(p, name))
        .map(|&(_, i)| i)
}

/// For an annotation, whether it takes `(…)`. The pre-pass asks this of
/// every identifier, so only the hash map is consulted.
pub fn annotation(name: &str) -> Option<bool> {
    match compiled().exact.get(name) {
        Some(Annotation(args)) => Some(*args),
        _ => None,
    }
}

/// Whether `NAME(args) stmt` is a loop macro even without braces.
pub fn is_loop_macro(name: &str) -> bool {
    idiom(name) == Some(LoopMacro)
}

/// For `DEFINE_MUTEX(m)`-like macros, the type of the variable defined.
pub fn defined_variable_type(name: &str) -> Option<TypeRef> {
    match idiom(name)? {
        DefinesVariable(base, ptr) => Some(TypeRef::new(base, ptr)),
        _ => None,
    }
}

/// For a call of `name`, how its value is typed by its arguments.
pub fn typed_by(name: &str) -> Option<TypedBy> {
    match idiom(name)? {
        Typed(t) => Some(t),
        _ => None,
    }
}

/// For a function-defining macro, how it names its function.
pub fn function_macro(name: &str) -> Option<Rename> {
    match idiom(name)? {
        DefinesFunction(r) => Some(r),
        _ => None,
    }
}

/// For a function-defining macro whose arguments are `name, type, arg, …`
/// (`SYSCALL_DEFINEn`, `BPF_CALL_n`: the pre-pass rewrites them into plain
/// C), how it names its function.
pub fn syscall_prefix(name: &str) -> Option<Rename> {
    function_macro(name).filter(|r| r.pairs())
}

/// Whether the macro `name` defined in the file at `path` is an errno code.
pub fn is_errno(name: &str, path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    name.starts_with('E') && base.starts_with("errno") && base.ends_with(".h")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        assert_eq!(annotation("__init"), Some(false));
        assert_eq!(annotation("__printf"), Some(true));
        assert_eq!(annotation("list_for_each_entry"), None);
        assert!(is_loop_macro("list_for_each_entry"));
        assert!(is_loop_macro("hlist_for_each_entry_rcu"));
        assert!(!is_loop_macro("list_add"));
        assert_eq!(typed_by("container_of"), Some(TypeArgPointer));
        assert_eq!(typed_by("list_first_entry"), Some(TypeArgPointer));
        assert_eq!(typed_by("min_t"), Some(TypeArg));
        assert_eq!(typed_by("rcu_dereference_protected"), Some(FirstArg));
        assert_eq!(typed_by("kmalloc"), None);
        assert_eq!(
            defined_variable_type("DEFINE_MUTEX"),
            Some(TypeRef::new("struct mutex", 0))
        );
        assert_eq!(function_macro("SYSCALL_DEFINE3"), Some(Rename::Syscall));
        assert_eq!(
            function_macro("COMPAT_SYSCALL_DEFINE2"),
            Some(Rename::CompatSyscall)
        );
        assert_eq!(function_macro("BPF_CALL_4"), Some(Rename::Plain("u64")));
        assert_eq!(syscall_prefix("BPF_CALL_4"), Some(Rename::Plain("u64")));
        assert_eq!(syscall_prefix("DEFINE_IDTENTRY_RAW"), None);
        assert_eq!(function_macro("SYSCALL_DEFINE"), None);
        assert!(is_errno("ENOMEM", "include/uapi/asm-generic/errno-base.h"));
        assert!(!is_errno("EPOLLIN", "include/uapi/linux/eventpoll.h"));
    }

    #[test]
    fn no_name_has_two_exact_rows() {
        let mut seen = std::collections::HashSet::new();
        for (p, _) in TABLE {
            if let Exact(n) = p {
                assert!(seen.insert(*n), "{n} twice in the table");
            }
        }
    }
}
