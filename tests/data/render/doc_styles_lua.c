//- /lstate.h
/*
** $Id: lstate.h $
** Global State
** See Copyright Notice in lua.h
*/

/*
** Information about a call.
*/
struct CallInfo {
  int func;  /* function index in the stack */
  int top;  /* top for this function */
};

/*
** 'per thread' state
*/
struct lua_State {
  int top;  /* first free slot in the stack */
  struct CallInfo *ci;  /* call info for current function */
};
//- /lapi.c
/*
** $Id: lapi.c $
** Lua API
** See Copyright Notice in lua.h
*/
#include "lstate.h"

/*
** Test for a valid index (one that is not the 'nilvalue').
** '!ttisnil(o)' implies 'o != &G(L)->nilvalue', so it is not needed.
*/
#define isvalid(L, o)	((o) != 0)

/*
** Convert an acceptable index to a pointer to its respective value.
** Non-valid indices return the special nil value 'G(L)->nilvalue'.
*/
static int index2value (struct lua_State *L, int idx) {
  struct CallInfo *ci = L->ci;
  return ci->func + idx;
}

/*
** {======================================================
** Set functions (stack -> Lua)
** =======================================================
*/

/*
** Set the stack top to 'idx', filling the new slots with nil.
*/
void lua_settop (struct lua_State *L, int idx) {
  struct CallInfo *ci = L->ci;
  if (isvalid(L, idx))
    L->top = index2value(L, idx);
  ci->top = L->top;
}
