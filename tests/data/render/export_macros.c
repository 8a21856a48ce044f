//! Export and storage-class macros (issue 14): a return type written with
//! macros the tree's own `#define`s make no type — empty, a storage class,
//! an attribute, a wrapper of its argument (`GIT_EXTERN(int)`), a chain of
//! those, every definition under `#if` alike — reads as what they expand
//! to, for definitions and prototypes (whose return types type calls). A
//! macro defined as a type, or one the tree does not define, stays as written.
//! Prototypes inside `extern "C" {` and with the name in parentheses count.
//- /include/luaconf.h
#if defined(LUA_BUILD_AS_DLL)
#define LUA_API __declspec(dllexport)
#else
#define LUA_API extern
#endif
#define LUALIB_API LUA_API
#define LUAI_FUNC static
#define ZSTDLIB_API
#define CURL_EXTERN __attribute__((visibility("default")))
#define GIT_EXTERN(type) extern __attribute__((visibility("default"))) type
#define LUA_NUMBER double

typedef struct lua_State lua_State;
typedef LUA_NUMBER lua_Number;
struct Curl_easy {
	int magic;	/* always CURLEASY_MAGIC_NUMBER */
};

/* Number of elements on the stack. */
LUA_API int lua_gettop (lua_State *L);
GIT_EXTERN(struct Curl_easy *) git_handle(void);

#ifdef __cplusplus
extern "C" {
#endif
/* Converts an acceptable index into an absolute one. */
LUA_API int (lua_absindex) (lua_State *L, int idx);
#ifdef __cplusplus
}
#endif
//- /src/lapi.c
#include "luaconf.h"

LUA_API int lua_gettop (lua_State *L) {
  return 0;
}

LUAI_FUNC int index2value (lua_State *L, int idx) {
  return idx;
}

LUALIB_API lua_Number luaL_checknumber (lua_State *L, int arg) {
  return index2value(L, arg);
}

ZSTDLIB_API size_t ZSTD_compressBound(size_t srcSize) { return srcSize; }

CURL_EXTERN struct Curl_easy *curl_easy_init(void) { return 0; }

GIT_EXTERN(const char *) git_libgit2_version(void) { return "1"; }

int use(void) { return git_handle()->magic + lua_gettop(0); }

LUA_API LUA_NUMBER lua_version (lua_State *L) { return 504; }

UNKNOWN_API int stays(void) { return 1; }

LUA_API int lua_absindex (lua_State *L, int idx) { return idx; }
