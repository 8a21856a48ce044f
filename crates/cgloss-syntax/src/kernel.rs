//! Kernel macros that define a variable (`DEFINE_MUTEX(m)`, `LIST_HEAD(h)`):
//! the type of the variable they define, so member access on it glosses.

use cgloss_facts::TypeRef;

/// For a macro that defines the variable named by its first argument, the
/// type of that variable.
pub fn defined_variable_type(macro_name: &str) -> Option<TypeRef> {
    let (base, ptr) = match macro_name {
        "DEFINE_MUTEX" => ("struct mutex", 0),
        "DEFINE_SPINLOCK" => ("spinlock_t", 0),
        "DEFINE_RAW_SPINLOCK" => ("raw_spinlock_t", 0),
        "DEFINE_RWLOCK" => ("rwlock_t", 0),
        "DEFINE_SEMAPHORE" => ("struct semaphore", 0),
        "DECLARE_RWSEM" => ("struct rw_semaphore", 0),
        "LIST_HEAD" => ("struct list_head", 0),
        "HLIST_HEAD" => ("struct hlist_head", 0),
        "LLIST_HEAD" => ("struct llist_head", 0),
        "DEFINE_IDR" => ("struct idr", 0),
        "DEFINE_IDA" => ("struct ida", 0),
        "DECLARE_WAIT_QUEUE_HEAD" | "DECLARE_WAIT_QUEUE_HEAD_ONSTACK" => ("wait_queue_head_t", 0),
        "DEFINE_WAIT" | "DEFINE_WAIT_FUNC" => ("struct wait_queue_entry", 0),
        "DECLARE_WAITQUEUE" => ("wait_queue_entry_t", 0),
        "DECLARE_COMPLETION" | "DECLARE_COMPLETION_ONSTACK" => ("struct completion", 0),
        "DEFINE_SRCU" | "DEFINE_STATIC_SRCU" => ("struct srcu_struct", 0),
        "DEFINE_XARRAY"
        | "DEFINE_XARRAY_ALLOC"
        | "DEFINE_XARRAY_ALLOC1"
        | "DEFINE_XARRAY_FLAGS" => ("struct xarray", 0),
        "DEFINE_RATELIMIT_STATE" => ("struct ratelimit_state", 0),
        "DECLARE_BITMAP" => ("unsigned long", 1),
        "DECLARE_WORK" => ("struct work_struct", 0),
        "DECLARE_DELAYED_WORK" | "DECLARE_DEFERRABLE_WORK" => ("struct delayed_work", 0),
        "DEFINE_TIMER" => ("struct timer_list", 0),
        "DEFINE_STATIC_KEY_FALSE" => ("struct static_key_false", 0),
        "DEFINE_STATIC_KEY_TRUE" => ("struct static_key_true", 0),
        "DEFINE_SEQLOCK" => ("seqlock_t", 0),
        _ => return None,
    };
    Some(TypeRef::new(base, ptr))
}
