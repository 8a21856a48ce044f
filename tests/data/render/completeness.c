//! Every definition is found (issue 9, item 3): each construct below once
//! made tree-sitter lose the definitions after it; each file ends with a
//! function that must still be there.
//- /kernel/cgroup.c
/* a comment inside a continued #define used to end the macro */
#define do_each_subsys_mask(ss, ssid, ss_mask) do {			\
	unsigned long __ss_mask = (ss_mask);				\
	if (!CGROUP_SUBSYS_COUNT) { /* to avoid spurious gcc warning */	\
		(ssid) = 0;						\
		break;							\
	}								\
	for ((ssid) = 0; (ssid) < 3; (ssid)++) {			\
		(ss) = 0;						\
		{

int after_define(void)
{
	return 1;
}
//- /lib/seq_buf.c
int branches_open_braces(int a)
{
#ifdef __BIG_ENDIAN
	for (;;) {
#else
	while (a) {
#endif
		a--;
	}
	return a;
}

int after_branches(void)
{
	return 2;
}
//- /kernel/fork.c
#ifdef CONFIG_CLONE_BACKWARDS
SYSCALL_DEFINE5(clone, unsigned long, clone_flags, unsigned long, newsp,
		 int __user *, parent_tidptr,
		 unsigned long, tls,
		 int __user *, child_tidptr)
#else
SYSCALL_DEFINE5(clone, unsigned long, clone_flags, unsigned long, newsp,
		 int __user *, parent_tidptr,
		 int __user *, child_tidptr,
		 unsigned long, tls)
#endif
{
	return clone_flags;
}

SYSCALL_DEFINE4(32_truncate64, const char __user *, path, unsigned long, __dummy,
	unsigned long, a2, unsigned long, a3)
{
	return 0;
}
//- /kernel/signal.c
int force_sig_fault_to_task(int sig, int code, void __user *addr
	___ARCH_SI_TRAPNO(int trapno)
	___ARCH_SI_IA64(int imm, unsigned int flags, unsigned long isr)
	, struct task_struct *t)
{
	return sig;
}

int after_parameters(void)
{
	return 3;
}
//- /lib/atomic64.c
#define ATOMIC64_OPS(op, c_op) int atomic64_##op(int a) { return a c_op 1; }

ATOMIC64_OPS(add, +=)
ATOMIC64_OPS(sub, -=)

int atomic64_dec_if_positive(int v)
{
	return v - 1;
}
//- /arch/x86/include/asm/cpu_entry_area.h
struct cea_exception_stacks {
	ESTACKS_MEMBERS(PAGE_SIZE, EXCEPTION_STKSZ)
};

static inline int cpu_entry_stack(int cpu)
{
	return cpu;
}
//- /net/core/filter.c
static DEFINE_PER_CPU(struct bpf_scratchpad, bpf_sp);

/* the helper behind bpf_skb_store_bytes */
BPF_CALL_5(bpf_skb_store_bytes, struct sk_buff *, skb, u32, offset,
	   const void *, from, u32, len, u64, flags)
{
	return offset + len;
}

BPF_CALL_0(bpf_get_smp_processor_id)
{
	return 0;
}
//- /tools/testing/selftests/net/tls.c
TEST_F(tls_basic, base_base)
{
	ASSERT_EQ(1, 1);
}

DEFINE_IDTENTRY_RAW(exc_nmi)
{
	nmi_enter();
}

int after_tests(void)
{
	return 4;
}
//- /sound/codecs/rt5682.c
static const DECLARE_TLV_DB_RANGE(bst_tlv,
	0, 0, TLV_DB_SCALE_ITEM(0, 0, 0),
	1, 1, TLV_DB_SCALE_ITEM(2000, 0, 0)
);

int after_tlv(void)
{
	return 5;
}
//- /tools/testing/selftests/bpf/progs/verifier_sdiv.c
SEC("socket")
__description("SDIV32, non-zero imm divisor, check 3")
__success __success_unpriv __retval(20)
__naked void sdiv32_non_zero_imm_3(void)
{
	asm volatile ("r0 = 0;");
}
//- /crypto/rsa_meth.c
/* Functions returning a function pointer are functions (OpenSSL's method getters). */
int (*RSA_meth_get_pub_enc(const struct rsa_meth *meth))(int flen, const unsigned char *from)
{
	return meth->rsa_pub_enc;
}

static void (*signal_handler(int sig, void (*handler)(int)))(int)
{
	return handler;
}

int (*fp_variable)(int flen);

int after_function_pointer_getters(void)
{
	return 0;
}
//- /crypto/x_long.c
/* A macro pair that opens and closes an initializer, with no `;`: tree-sitter
   fuses the definitions after it into one broken declaration; each certain
   body is parsed again alone. */
ASN1_ITEM_start(LONG)
    ASN1_ITYPE_PRIMITIVE, V_ASN1_INTEGER, &long_pf, "LONG" ASN1_ITEM_end(LONG)

                                    static int long_new(struct item **pval, const struct item *it)
{
	*pval = 0;
	return 1;
}

static void
long_free(struct item **pval, const struct item *it)
{
	*pval = 0;
}
//- /arch/crc32_power8.c
/* A macro call between the type and the name (`ALIGNED_(32)`, an attribute)
   used to make the prototype a function `ALIGNED_` swallowing the next
   definition. */
#define ALIGNED_(x) __attribute__ ((aligned(x)))
static unsigned int ALIGNED_(32) crc32_vpmsum(unsigned int crc, const void *p, unsigned long len);

unsigned int crc32_power8(unsigned int crc, const unsigned char *p, unsigned long len)
{
	return crc32_vpmsum(crc, p, len);
}

static unsigned int ALIGNED_(32) crc32_vpmsum(unsigned int crc, const void *p, unsigned long len)
{
	return crc;
}
